package seq2seq.model;

/**
 * What the engine asks of a tokenizer, whatever the model family: the Hugging Face tokenizer.json of transformer
 * bundles ({@link #of(Tokenizer)}) or the character (or word) index of a recurrent bundle ({@link RecurrentTokenizer}).
 * Thread-safe. The method shapes are {@link Tokenizer}'s, so that an implementation can later implement a Tokenizer
 * interface directly.
 */
public interface TextTokenizer extends AutoCloseable {

    /** Token ids for the encoder, special tokens included, without truncation. */
    long[] ids(String text);

    /** Tokenizes and cuts to maxTokens (see {@link Tokenizer#encode(String, int)} for the rule). */
    Tokenizer.Encoded encode(String text, int maxTokens);

    /** The id of a token the tokenizer matches as a whole, or null when the text is not one such token. */
    Integer tokenId(String token);

    /** Text of generated ids, special tokens left out. */
    String decode(long[] ids);

    @Override
    void close();

    /** A transformer bundle's tokenizer as a TextTokenizer. */
    static TextTokenizer of(Tokenizer t) {
        return new TextTokenizer() {
            @Override
            public long[] ids(String text) {
                return t.ids(text);
            }

            @Override
            public Tokenizer.Encoded encode(String text, int maxTokens) {
                return t.encode(text, maxTokens);
            }

            @Override
            public Integer tokenId(String token) {
                return t.tokenId(token);
            }

            @Override
            public String decode(long[] ids) {
                return t.decode(ids);
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }
}
