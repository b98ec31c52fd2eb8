package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ovnk.ovsdb.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class FrameDecoderTest {

    static final String TRICKY = "{\"id\":1,\"result\":[\"}{\\\"\\\\\",\"\\u00e9t\\u00e9 ✓ {[\",{\"a\":[1,2.5,-3e2,true,false,null]}]}";
    static final String SIMPLE = "{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}";

    final List<JsonNode> frames = new ArrayList<>();
    final FrameDecoder decoder = new FrameDecoder(1 << 20, 64, frames::add);

    @Test
    void messagesSplitAtEveryByteAreReassembled() {
        byte[] bytes = (TRICKY + SIMPLE).getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < bytes.length; split++) {
            frames.clear();
            FrameDecoder fresh = new FrameDecoder(1 << 20, 64, frames::add);
            fresh.feed(bytes, 0, split);
            fresh.feed(bytes, split, bytes.length - split);
            assertEquals(2, frames.size(), "split at " + split);
            assertEquals("}{\"\\", frames.get(0).get("result").get(0).stringValue());
            assertEquals("été ✓ {[", frames.get(0).get("result").get(1).stringValue());
            assertEquals("echo", frames.get(1).get("method").stringValue());
        }
    }

    @Test
    void oneByteAtATime() {
        byte[] bytes = (SIMPLE + "  \n" + TRICKY).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            decoder.feed(bytes, i, 1);
        }
        assertEquals(2, frames.size());
        assertEquals(-300.0, frames.get(1).get("result").get(2).get("a").get(2).doubleValue());
    }

    @Test
    void manyMessagesInOneReadWithoutSeparators() {
        String many = SIMPLE.repeat(1000);
        byte[] bytes = many.getBytes(StandardCharsets.UTF_8);
        decoder.feed(bytes, 0, bytes.length);
        assertEquals(1000, frames.size());
        assertTrue(!decoder.inFrame());
    }

    @Test
    void aBareValueIsNotAMessage() {
        assertThrows(ProtocolException.class, () -> feed("[1,2]"));
        assertThrows(ProtocolException.class, () -> new FrameDecoder(1024, 8, frames::add).feed("42 ".getBytes(), 0, 3));
    }

    @Test
    void invalidUtf8IsAProtocolError() {
        byte[] bytes = { '{', '"', 'a', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}' };
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.feed(bytes, 0, bytes.length));
        assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertThrows(ProtocolException.class, () -> feed(deep));
    }

    @Test
    void anOversizedMessageIsRefusedWhileStillIncomplete() {
        FrameDecoder small = new FrameDecoder(1000, 64, frames::add);
        byte[] start = ("{\"id\":1,\"result\":\"" + "x".repeat(600)).getBytes(StandardCharsets.UTF_8);
        small.feed(start, 0, start.length);
        byte[] more = "x".repeat(600).getBytes(StandardCharsets.UTF_8);
        ProtocolException e = assertThrows(ProtocolException.class, () -> small.feed(more, 0, more.length));
        assertTrue(e.getMessage().contains("exceeds 1000 bytes"), e.getMessage());
        assertThrows(ProtocolException.class, () -> small.feed(more, 0, 1), "a broken decoder stays broken");
    }

    @Test
    void anythingRandomEndsInFramesOrAProtocolErrorNeverAnotherException() {
        Random random = new Random(20261126);
        byte[] valid = (TRICKY + SIMPLE).getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 20_000; round++) {
            byte[] input;
            switch (round % 4) {
                case 0 -> {
                    input = new byte[random.nextInt(200)];
                    random.nextBytes(input);
                }
                case 1 -> { // a valid stream with some bytes flipped
                    input = valid.clone();
                    for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                        input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> { // truncated
                    input = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
                }
                default -> { // JSON-ish characters
                    String alphabet = "{}[]\",:\\ abtrue0-9.e";
                    StringBuilder text = new StringBuilder("{");
                    for (int i = random.nextInt(100); i > 0; i--) {
                        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    input = text.toString().getBytes(StandardCharsets.UTF_8);
                }
            }
            FrameDecoder fuzzed = new FrameDecoder(4096, 16, frame -> { });
            try {
                int at = 0;
                while (at < input.length) {
                    int chunk = Math.min(input.length - at, 1 + random.nextInt(17));
                    fuzzed.feed(input, at, chunk);
                    at += chunk;
                }
            } catch (ProtocolException expected) {
                // a typed error: the connection would reset
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        decoder.feed(bytes, 0, bytes.length);
    }
}
