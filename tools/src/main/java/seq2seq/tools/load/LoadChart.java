package seq2seq.tools.load;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The chart of a load report: latency percentiles (log scale, top) and achieved throughput (bottom) against the
 * offered rate, one line style per variant (solid, dashed, dotted, ...) and one colour per percentile, so that a
 * second variant is read against the first on the same axes.
 */
public final class LoadChart {
    private static final Paint[] PERCENTILE_COLOURS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0xd62728)};
    private static final Paint[] VARIANT_COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    private LoadChart() {
    }

    public static void write(LoadReport report, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(png.toFile(), chart(report), 1000, 800);
    }

    static JFreeChart chart(LoadReport report) {
        XYSeriesCollection latency = new XYSeriesCollection();
        XYSeriesCollection throughput = new XYSeriesCollection();
        XYLineAndShapeRenderer latencyLines = new XYLineAndShapeRenderer(true, true);
        XYLineAndShapeRenderer throughputLines = new XYLineAndShapeRenderer(true, true);
        double maxOffered = 0;
        for (int v = 0; v < report.variants.size(); v++) {
            VariantResult vr = report.variants.get(v);
            Stroke stroke = stroke(v);
            for (int p = 0; p < LoadReport.PERCENTILES.length; p++) {
                double pct = LoadReport.PERCENTILES[p];
                XYSeries s = new XYSeries(vr.name() + " p" + (pct == Math.rint(pct) ? String.valueOf((int) pct) : String.valueOf(pct)));
                for (StepResult st : vr.steps()) {
                    double ms = st.latencyMs(pct);
                    if (!Double.isNaN(ms)) {
                        s.add(st.offered(), Math.max(ms, 0.01));
                    }
                }
                int i = latency.getSeriesCount();
                latency.addSeries(s);
                latencyLines.setSeriesPaint(i, PERCENTILE_COLOURS[p % PERCENTILE_COLOURS.length]);
                latencyLines.setSeriesStroke(i, stroke);
            }
            XYSeries achieved = new XYSeries(vr.name() + " achieved");
            for (StepResult st : vr.steps()) {
                achieved.add(st.offered(), st.achieved());
                maxOffered = Math.max(maxOffered, Math.max(st.offered(), st.achieved()));
            }
            int i = throughput.getSeriesCount();
            throughput.addSeries(achieved);
            throughputLines.setSeriesPaint(i, VARIANT_COLOURS[v % VARIANT_COLOURS.length]);
            throughputLines.setSeriesStroke(i, stroke);
        }
        XYSeries ideal = new XYSeries("achieved = offered");
        ideal.add(0, 0);
        ideal.add(maxOffered, maxOffered);
        int i = throughput.getSeriesCount();
        throughput.addSeries(ideal);
        throughputLines.setSeriesPaint(i, Color.GRAY);
        throughputLines.setSeriesShapesVisible(i, false);
        throughputLines.setSeriesStroke(i, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {2f, 4f}, 0f));
        XYSeries max = new XYSeries("max sustainable (" + String.format(java.util.Locale.ROOT, "%.1f", report.baseThroughput) + "/s)");
        max.add(report.baseThroughput, 0);
        max.add(report.baseThroughput, maxOffered);
        i = throughput.getSeriesCount();
        throughput.addSeries(max);
        throughputLines.setSeriesPaint(i, Color.BLACK);
        throughputLines.setSeriesShapesVisible(i, false);
        throughputLines.setSeriesStroke(i, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 3f}, 0f));

        LogAxis latencyAxis = new LogAxis("latency, produce to read_committed (ms)");
        latencyAxis.setSmallestValue(0.01);
        latencyAxis.setStandardTickUnits(NumberAxis.createStandardTickUnits());
        latencyAxis.setNumberFormatOverride(new TwoDigits());
        XYPlot top = new XYPlot(latency, null, latencyAxis, latencyLines);
        NumberAxis throughputAxis = new NumberAxis("achieved (requests/s)");
        throughputAxis.setAutoRangeIncludesZero(true);
        XYPlot bottom = new XYPlot(throughput, null, throughputAxis, throughputLines);
        for (XYPlot p : new XYPlot[] {top, bottom}) {
            p.setBackgroundPaint(Color.WHITE);
            p.setDomainGridlinePaint(Color.LIGHT_GRAY);
            p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
        NumberAxis offered = new NumberAxis("offered rate (requests/s, Poisson arrivals, open loop)");
        offered.setAutoRangeIncludesZero(true);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(offered);
        plot.setGap(12);
        plot.add(top, 3);
        plot.add(bottom, 2);
        JFreeChart chart = new JFreeChart("Latency and throughput against the offered rate", new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** tick labels of the log axis: two significant digits (630, 790, 1000 rather than 630.96, 794.33) */
    private static final class TwoDigits extends java.text.NumberFormat {
        @Override
        public StringBuffer format(double v, StringBuffer to, java.text.FieldPosition pos) {
            return to.append(new java.math.BigDecimal(v).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString());
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, java.text.FieldPosition pos) {
            return format((double) v, to, pos);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition pos) {
            throw new UnsupportedOperationException();
        }
    }

    private static Stroke stroke(int variant) {
        float[][] dashes = {null, {8f, 4f}, {2f, 3f}, {10f, 3f, 2f, 3f}};
        float[] d = dashes[variant % dashes.length];
        return d == null ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, d, 0f);
    }
}
