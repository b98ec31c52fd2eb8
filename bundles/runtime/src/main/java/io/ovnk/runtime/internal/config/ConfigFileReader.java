package io.ovnk.runtime.internal.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.felix.cm.file.ConfigurationHandler;

/**
 * Reads the two configuration file formats of {@code etc/}.
 * <ul>
 * <li>{@code .cfg}: Java properties in UTF-8; every value a string (metatype decides later how to read it).
 * A key written twice is an error: with plain {@link Properties} the second would silently win.</li>
 * <li>{@code .config}: the typed Felix format ({@code key=I"42"}, {@code key=["a","b"]}).</li>
 * </ul>
 */
public final class ConfigFileReader {

    public static final String CFG = ".cfg";
    public static final String CONFIG = ".config";

    private ConfigFileReader() {
    }

    /** True for the files this reader handles: {@code *.cfg} and {@code *.config}, not hidden, not editor backups. */
    public static boolean isConfigFile(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && ((name.endsWith(CFG) && name.length() > CFG.length())
                || (name.endsWith(CONFIG) && name.length() > CONFIG.length()));
    }

    /** The configuration a file addresses, from its name: {@code <pid>.cfg} or {@code <factoryPid>~<name>.cfg}. */
    public static ConfigTarget targetOf(Path file) throws ConfigFileException {
        String name = file.getFileName().toString();
        String id = name.substring(0, name.lastIndexOf('.'));
        try {
            return ConfigTarget.parse(id);
        } catch (IllegalArgumentException e) {
            throw new ConfigFileException("file name: " + e.getMessage());
        }
    }

    /**
     * Reads a file, refusing one larger than {@code maxBytes} before reading it whole.
     *
     * @return the properties in file order
     */
    public static Map<String, Object> read(Path file, long maxBytes) throws ConfigFileException, IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new ConfigFileException("file is " + size + " bytes, larger than the limit of " + maxBytes
                    + " (io.ovnk.runtime max.file.bytes)");
        }
        byte[] bytes = Files.readAllBytes(file);
        return file.getFileName().toString().endsWith(CONFIG) ? readTyped(bytes) : readProperties(bytes);
    }

    static Map<String, Object> readProperties(byte[] bytes) throws ConfigFileException {
        String text = decodeUtf8(bytes);
        Map<String, Object> result = new LinkedHashMap<>();
        Properties properties = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                if (result.putIfAbsent((String) key, value) != null) {
                    throw new DuplicateKeyException((String) key);
                }
                return super.put(key, value);
            }
        };
        try {
            properties.load(new StringReader(text));
        } catch (DuplicateKeyException e) {
            throw new ConfigFileException("key " + ConfigValidator.shownKey(e.key) + " is set more than once");
        } catch (IllegalArgumentException e) {
            // the only syntax error java.util.Properties knows: a malformed backslash-u escape
            throw new ConfigFileException("syntax error: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigFileException("cannot be read: " + e.getMessage(), e);
        }
        for (String key : result.keySet()) {
            if (key.isEmpty()) {
                throw new ConfigFileException("a line has a value but no key");
            }
        }
        return Collections.unmodifiableMap(result);
    }

    static Map<String, Object> readTyped(byte[] bytes) throws ConfigFileException {
        decodeUtf8(bytes);
        Dictionary<?, ?> dictionary;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            dictionary = ConfigurationHandler.read(in);
        } catch (IOException e) {
            throw new ConfigFileException("syntax error: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ConfigFileException("syntax error: " + e, e);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (Enumeration<?> keys = dictionary.keys(); keys.hasMoreElements();) {
            Object key = keys.nextElement();
            result.put(String.valueOf(key), dictionary.get(key));
        }
        return Collections.unmodifiableMap(result);
    }

    private static String decodeUtf8(byte[] bytes) throws ConfigFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigFileException("is not UTF-8 text (binary file?)");
        }
    }

    private static final class DuplicateKeyException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String key;

        DuplicateKeyException(String key) {
            super(null, null, false, false);
            this.key = key;
        }
    }
}
