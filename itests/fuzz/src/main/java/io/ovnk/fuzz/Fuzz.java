package io.ovnk.fuzz;

import java.util.SplittableRandom;

/**
 * Seeded, replayable fuzzing without a framework. Every case gets its own {@link SplittableRandom} from the run's
 * seed and its index; a failing case names the run seed, its case seed and the input it sent, and
 * {@code -Dovnk.fuzz.case=<case seed>} replays exactly that case.
 * <ul>
 * <li>{@code -Dovnk.fuzz.seed=<long>|random}: the run's seed (default: fixed, so CI is reproducible)</li>
 * <li>{@code -Dovnk.fuzz.iterations=<n>}: cases per fuzz target (default: each target's CI count, seconds)</li>
 * </ul>
 */
public final class Fuzz {

    public static final long DEFAULT_SEED = 0x0E5C_2026_11L;

    /** One case: its generator, and what it sent (for the failure message). */
    public static final class Case {
        public final long seed;
        public final SplittableRandom random;
        private String input = "(not recorded)";

        public Case(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        /** Records the input this case sends, printable and cut to a readable length. */
        public void input(String sent) {
            input = printable(sent);
        }

        public void input(byte[] sent) {
            input(new String(sent, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

    public interface Body {
        void run(Case fuzzCase) throws Exception;
    }

    private Fuzz() {
    }

    public static long seed() {
        String given = System.getProperty("ovnk.fuzz.seed", "");
        if (given.isEmpty()) {
            return DEFAULT_SEED;
        }
        return given.equals("random") ? System.nanoTime() : Long.parseLong(given);
    }

    public static int iterations(int ciDefault) {
        String given = System.getProperty("ovnk.fuzz.iterations", "");
        return given.isEmpty() ? ciDefault : Integer.parseInt(given);
    }

    /** Runs {@code iterations} cases (or the one case of {@code ovnk.fuzz.case}); returns how many ran. */
    public static int run(String target, int ciIterations, Body body) {
        String replay = System.getProperty("ovnk.fuzz.case", "");
        long seed = seed();
        int iterations = iterations(ciIterations);
        if (!replay.isEmpty()) {
            System.out.println("fuzz " + target + ": replaying case seed " + replay);
            runCase(target, seed, -1, new Case(Long.parseLong(replay)), body);
            return 1;
        }
        System.out.println("fuzz " + target + ": seed " + seed + ", " + iterations + " cases (-Dovnk.fuzz.seed, "
                + "-Dovnk.fuzz.iterations)");
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < iterations; i++) {
            runCase(target, seed, i, new Case(seeds.nextLong()), body);
        }
        return iterations;
    }

    private static void runCase(String target, long seed, int index, Case fuzzCase, Body body) {
        try {
            body.run(fuzzCase);
        } catch (Throwable failure) {
            String message = "fuzz " + target + ": case " + index + " failed (run seed " + seed + "; replay with "
                    + "-Dovnk.fuzz.case=" + fuzzCase.seed + "); input: " + fuzzCase.input + ": " + failure;
            System.out.println(message);
            throw new AssertionError(message, failure);
        }
    }

    public static String printable(String text) {
        String cut = text.length() > 600 ? text.substring(0, 600) + "...(" + text.length() + " chars)" : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.chars().forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                out.append(String.format("\\x%02x", c & 0xff));
            }
        });
        return out.toString();
    }

    // ---- generators shared by the targets

    public static byte[] randomBytes(SplittableRandom random, int max) {
        byte[] bytes = new byte[random.nextInt(max + 1)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    public static String randomString(SplittableRandom random, int max) {
        String alphabet = "abcXYZ019 -_./:;=,\"'\\{}[]\t\n\u00e9\u4e2d\u0000";
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(max + 1);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** A JSON value of a random type (for "wrong type in this field"), as JSON text. */
    public static String randomJsonValue(SplittableRandom random) {
        return switch (random.nextInt(9)) {
            case 0 -> "null";
            case 1 -> Boolean.toString(random.nextBoolean());
            case 2 -> Long.toString(random.nextLong());
            case 3 -> Double.toString(random.nextDouble() * 1e300);
            case 4 -> "[" + (random.nextBoolean() ? "" : "1,\"a\",null") + "]";
            case 5 -> "{" + (random.nextBoolean() ? "" : "\"k\":[{}]") + "}";
            case 6 -> "\"\"";
            case 7 -> "123456789012345678901234567890";
            default -> quote(randomString(random, 40));
        };
    }

    public static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
