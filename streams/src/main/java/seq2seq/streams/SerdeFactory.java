package seq2seq.streams;

import org.apache.kafka.common.serialization.Serde;

import java.lang.reflect.Constructor;
import java.util.Map;

/**
 * Makes the value serdes from a class name, so a deployment can swap the project's registry serde for another
 * (Confluent's {@code SpecificAvroSerde}, say) against the same topics. The class needs a public constructor taking
 * the record class, or a no-argument one; it is then configured with the given settings as a value serde.
 */
public final class SerdeFactory {
    private SerdeFactory() {
    }

    @SuppressWarnings("unchecked")
    public static <T> Serde<T> create(String className, Class<T> recordType, Map<String, ?> configs) {
        Object instance;
        try {
            Class<?> type = Class.forName(className);
            if (!Serde.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("serde class " + className + " does not implement " + Serde.class.getName());
            }
            Constructor<?> typed = constructor(type, Class.class);
            instance = typed != null ? typed.newInstance(recordType) : type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("serde class " + className + " is not on the class path", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot create serde " + className + " for " + recordType.getSimpleName()
                    + ": it needs a public constructor (Class) or (): " + e, e);
        }
        Serde<T> serde = (Serde<T>) instance;
        serde.configure(configs, false);
        return serde;
    }

    private static Constructor<?> constructor(Class<?> type, Class<?>... params) {
        try {
            return type.getConstructor(params);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
