package seq2seq.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded English sentences for the integration tests. */
public final class Texts {
    private static final String[] SUBJECTS = {"The cat", "My brother", "The new computer", "Our teacher", "The old house",
            "A small dog", "The printer", "Your file", "The children", "This window"};
    private static final String[] VERBS = {"is", "was", "looks", "seems", "stays", "becomes"};
    private static final String[] ENDINGS = {"very small", "open today", "in the garden", "too slow", "ready now",
            "on the table", "quite old", "closed again", "in Berlin", "broken", "new", "happy"};

    private Texts() {
    }

    public static List<String> sentences(Random random, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String s = SUBJECTS[random.nextInt(SUBJECTS.length)] + " " + VERBS[random.nextInt(VERBS.length)] + " "
                    + ENDINGS[random.nextInt(ENDINGS.length)] + (i >= SUBJECTS.length * 6 ? " " + i : "") + ".";
            out.add(random.nextInt(5) == 0 ? s + " " + SUBJECTS[random.nextInt(SUBJECTS.length)] + " is here." : s);
        }
        return out;
    }
}
