package seq2seq.streams;

/**
 * What one model version's engine batches cost, learnt online: compute time ≈ a + b·rows + c·tokens, fitted by least
 * squares over the last {@link #WINDOW} batches measured. A window rather than all history, so that the model follows
 * a machine whose speed changes (other load, a warmed-up JIT, another thread count). Not thread-safe: its owner
 * ({@link LatencyTarget}) guards it.
 * <p>
 * Rows and tokens move together (a batch's tokens are about its rows times the mean segment length), so the plain
 * normal equations are nearly singular; a small ridge term keeps them solvable, and a prediction along the usual
 * tokens-per-row line stays right however the fit splits the slope between the two.
 */
final class BatchCostModel {
    /** batches the fit looks at */
    static final int WINDOW = 200;
    /** relative ridge: tiny against the data, only there to break the rows/tokens collinearity */
    private static final double RIDGE = 1e-6;

    private final double[] rows = new double[WINDOW];
    private final double[] tokens = new double[WINDOW];
    private final double[] millis = new double[WINDOW];
    /** batches measured, all time; the window holds the last min(count, WINDOW) */
    private long count;
    /** a, b, c of the last fit; null until the window has two distinct row counts */
    private double[] fit;
    /** mean tokens per row over the window */
    private double tokensPerRow;

    /** One batch measured: {@code rows} segments, {@code estimatedTokens} source tokens, {@code nanos} of compute. */
    void record(int rows, int estimatedTokens, long nanos) {
        int at = (int) (count % WINDOW);
        this.rows[at] = rows;
        this.tokens[at] = estimatedTokens;
        this.millis[at] = nanos / 1e6;
        count++;
        refit();
    }

    /** batches in the window */
    int samples() {
        return (int) Math.min(count, WINDOW);
    }

    /** whether a slope can be told: the window holds batches of at least two sizes */
    boolean fitted() {
        return fit != null;
    }

    /** predicted compute time in ms of a batch of {@code rows} segments and {@code tokens} tokens; NaN before a fit */
    double predictMillis(int rows, double tokens) {
        if (fit == null) {
            return Double.NaN;
        }
        // never below what the fixed part alone costs: a slope fitted on noise must not promise a free segment
        return Math.max(Math.max(fit[0], 0), fit[0] + fit[1] * rows + fit[2] * tokens);
    }

    /** predicted compute time in ms of a batch of {@code rows} segments of the usual length */
    double predictMillis(int rows) {
        return predictMillis(rows, rows * tokensPerRow);
    }

    private void refit() {
        int n = samples();
        double[][] m = new double[3][4]; // the normal equations X'X | X'y, X = [1, rows, tokens]
        double minRows = Double.MAX_VALUE;
        double maxRows = 0;
        double sumRows = 0;
        double sumTokens = 0;
        for (int i = 0; i < n; i++) {
            double[] x = {1, rows[i], tokens[i]};
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    m[r][c] += x[r] * x[c];
                }
                m[r][3] += x[r] * millis[i];
            }
            minRows = Math.min(minRows, rows[i]);
            maxRows = Math.max(maxRows, rows[i]);
            sumRows += rows[i];
            sumTokens += tokens[i];
        }
        tokensPerRow = sumRows == 0 ? 0 : sumTokens / sumRows;
        if (minRows == maxRows) {
            fit = null;
            return;
        }
        for (int d = 1; d < 3; d++) {
            m[d][d] += RIDGE * m[d][d] + 1e-9;
        }
        fit = solve(m);
    }

    /** Gaussian elimination with partial pivoting of a 3×3 system in augmented form; null when singular. */
    private static double[] solve(double[][] m) {
        for (int col = 0; col < 3; col++) {
            int pivot = col;
            for (int r = col + 1; r < 3; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            if (Math.abs(m[col][col]) < 1e-12) {
                return null;
            }
            for (int r = col + 1; r < 3; r++) {
                double f = m[r][col] / m[col][col];
                for (int c = col; c < 4; c++) {
                    m[r][c] -= f * m[col][c];
                }
            }
        }
        double[] x = new double[3];
        for (int r = 2; r >= 0; r--) {
            double s = m[r][3];
            for (int c = r + 1; c < 3; c++) {
                s -= m[r][c] * x[c];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }
}
