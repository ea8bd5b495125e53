package seq2seq.model;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The languages a model serves: configured pairs, or what its bundle declares the way real exports do. */
class LanguagePairsTest {
    private static final Path MODELS = Path.of("testdata/models").toAbsolutePath();

    private static LanguagePairs declared(String bundle) {
        return ModelBundle.languages(JsonFile.read(MODELS.resolve(bundle), ModelBundle.TOKENIZER_CONFIG));
    }

    @Test
    void configuredPairsAreParsedAndMatched() {
        LanguagePairs p = LanguagePairs.parse("en-de, en-fr,de:pt-BR");
        assertTrue(p.known());
        assertTrue(p.serves("en", "de"));
        assertTrue(p.serves("en", "fr"));
        assertTrue(p.serves(null, "fr"), "a request without source_lang matches any source");
        assertTrue(p.serves("de", "pt-BR"));
        assertTrue(p.serves("en", null));
        assertFalse(p.serves("de", "fr"));
        assertFalse(p.serves("en", "xx-INVALID"));
        assertTrue(p.produces("fr"));
        assertFalse(p.produces("es"));
        assertEquals(Set.of("de", "fr", "pt-BR"), p.targets());
        assertEquals("de:pt-BR, en-de, en-fr", p.toString());
        assertThrows(IllegalArgumentException.class, () -> LanguagePairs.parse("en"));
        assertThrows(IllegalArgumentException.class, () -> LanguagePairs.parse("en-de-fr"));
        assertEquals(LanguagePairs.ANY, LanguagePairs.parse(" "));
    }

    @Test
    void unknownLanguagesServeAnything() {
        assertFalse(LanguagePairs.ANY.known());
        assertTrue(LanguagePairs.ANY.serves("xx", "yy"));
        assertTrue(LanguagePairs.ANY.produces("fr"));
        assertEquals("any", LanguagePairs.ANY.toString());
    }

    @Test
    void bundlesDeclareTheirLanguagesAsRealExportsDo() {
        // opus-mt (Marian): source_lang / target_lang in tokenizer_config.json
        assertEquals(LanguagePairs.of(List.of(List.of("en", "de"))), declared("marian"));
        // M2M100 ("__de__") and NLLB ("deu_Latn"): language tokens, any to any
        LanguagePairs m2m = declared("m2m100");
        assertTrue(m2m.serves("en", "de") && m2m.serves("de", "fr"), m2m.toString());
        assertFalse(m2m.produces("xx-INVALID"));
        assertEquals(100, m2m.targets().size());
        LanguagePairs nllb = declared("nllb");
        assertTrue(nllb.serves("eng_Latn", "deu_Latn"), nllb.toString());
        assertFalse(nllb.produces("de"));
        // a bundle that declares nothing (T5's extra ids are no languages): unknown
        assertEquals(LanguagePairs.ANY, declared("tiny"));
        assertEquals(LanguagePairs.ANY, declared("t5"));
        assertEquals(LanguagePairs.ANY, declared("bart"));
    }

    @Test
    void theShippedModelDeclaresEnglishToGerman() {
        ModelBundle b = ModelBundle.open(Path.of("models/s2s-en-de-small"), Dtype.FP32, DecoderLayout.AUTO);
        assertEquals(LanguagePairs.of(List.of(List.of("en", "de"))), b.languages);
        assertFalse(b.languages.produces("fr"));
        assertFalse(b.languages.produces("xx-INVALID"));
        assertTrue(b.languages.serves("en", "de"));
    }
}
