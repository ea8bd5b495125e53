package seq2seq.streams.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SegmenterTest {
    private final Segmenter segmenter = new Segmenter(10);

    /** reassembling the segments themselves must give back the text, whitespace inside segments normalised */
    private void roundTrips(String text) {
        SplitText s = segmenter.split(text, "en");
        assertEquals(text, s.reassemble(s.segments()), text);
    }

    @Test
    void theLayoutBetweenSentencesIsKept() {
        SplitText s = segmenter.split("\n Hi there.\t\tBye! \n", "en");
        assertEquals(List.of("Hi there.", "Bye!"), s.segments());
        assertEquals(List.of("\n ", "\t\t", " \n"), s.gaps());
        roundTrips("One. Two.  Three?\n\nFour!");
    }

    @Test
    void blankTextHasNoSegments() {
        SplitText s = segmenter.split(" \n\t", null);
        assertEquals(List.of(), s.segments());
        assertEquals("", s.reassemble(List.of()));
        assertEquals(List.of(), segmenter.split("", null).segments());
    }

    @Test
    void longSentencesAreCutAtWhitespaceAndLongWordsHardWithoutSplittingSurrogatePairs() {
        assertEquals(List.of("aaaa bbbb", "cccc dddd."), segmenter.split("aaaa bbbb cccc dddd.", null).segments());
        String emoji = "😀".repeat(8); // 16 chars, all surrogate pairs
        SplitText s = segmenter.split(emoji, null);
        assertEquals(String.join("", s.segments()), emoji);
        s.segments().forEach(seg -> assertEquals(0, seg.length() % 2, "no pair is cut: " + seg));
    }

    @Test
    void whitespaceInsideASentenceIsNormalisedForTranslationAndTheMemory() {
        assertEquals(List.of("a b c."), new Segmenter(100).split("a \n b\t c.", null).segments());
        assertEquals("e\u0301".length() == 2 ? "é" : "?", Segmenter.normalize("e\u0301"), "NFC");
    }

    @Test
    void wholeKeepsTheTextAsOneSegmentUncutWithItsSurroundingWhitespace() {
        String long_ = "First sentence. " + "word ".repeat(100) + "end.";
        SplitText s = Segmenter.whole("\n  " + long_ + " \t");
        assertEquals(List.of(Segmenter.normalize(long_)), s.segments());
        assertEquals(List.of("\n  ", " \t"), s.gaps());
        assertEquals(List.of(), Segmenter.whole("  ").segments());
        assertEquals(List.of("  "), Segmenter.whole("  ").gaps());
    }
}
