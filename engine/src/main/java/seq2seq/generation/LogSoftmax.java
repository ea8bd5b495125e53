package seq2seq.generation;

/** log_softmax over one row, the way torch computes it: x - max - log(sum(exp(x - max))). */
final class LogSoftmax {
    private LogSoftmax() {
    }

    /** The row's log-normaliser: max + log(sum(exp(x - max))). */
    static float logNormaliser(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) {
            if (x[i] > max) {
                max = x[i];
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int i = off; i < off + n; i++) {
            sum += Math.exp(x[i] - max);
        }
        return (float) (max + Math.log(sum));
    }

    static void inPlace(float[] x, int off, int n) {
        float norm = logNormaliser(x, off, n);
        for (int i = off; i < off + n; i++) {
            x[i] -= norm;
        }
    }

    /** Every row of a row-major [rows * vocab] array, in place. */
    static void rowsInPlace(float[] x, int vocab) {
        for (int off = 0; off < x.length; off += vocab) {
            inPlace(x, off, vocab);
        }
    }
}
