package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.ProtocolException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.async.ByteArrayFeeder;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cuts an OVSDB byte stream into JSON-RPC messages by its JSON structure, with Jackson's non-blocking parser:
 * strings with escaped quotes and backslashes, messages split over reads, several messages in one read, all
 * handled by a real tokenizer (never by counting braces). Builds each message's tree while tokenizing, so every
 * byte is parsed once.
 * <p>
 * Bounded: a message longer than {@code maxFrameBytes} or nested deeper than {@code maxDepth} is a
 * {@link ProtocolException}, as is invalid UTF-8 or JSON; after one the decoder is spent (the connection resets).
 * Not thread-safe: one reader thread feeds it.
 */
final class FrameDecoder {

    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final long maxFrameBytes;
    private final Consumer<JsonNode> sink;
    private final Deque<JsonNode> open = new ArrayDeque<>();
    private String property;
    /** Bytes fed in total, and where the message being built started. */
    private long fed;
    private long frameStart = -1;
    private boolean failed;

    FrameDecoder(long maxFrameBytes, int maxDepth, Consumer<JsonNode> sink) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxFrameBytes))
                        .maxDocumentLength(-1)
                        .build())
                // row UUIDs are property names: interning them would grow a symbol table for ever
                .disable(tools.jackson.core.TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES)
                .build();
        this.parser = factory.createNonBlockingByteArrayParser(ObjectReadContext.empty());
        this.feeder = (ByteArrayFeeder) parser.nonBlockingInputFeeder();
        this.maxFrameBytes = maxFrameBytes;
        this.sink = sink;
    }

    /** Feeds bytes; each message they complete goes to the sink before this returns. */
    void feed(byte[] buffer, int offset, int length) {
        if (failed) {
            throw new ProtocolException("the stream is already broken");
        }
        try {
            feeder.feedInput(buffer, offset, offset + length);
            fed += length;
            drain();
            if (frameStart >= 0 && fed - frameStart > maxFrameBytes) {
                throw new ProtocolException("a message exceeds " + maxFrameBytes + " bytes (max frame size)");
            }
        } catch (JacksonException e) {
            failed = true;
            throw new ProtocolException("malformed JSON at byte " + parser.currentLocation().getByteOffset() + ": "
                    + e.getOriginalMessage(), e);
        } catch (ProtocolException e) {
            failed = true;
            throw e;
        }
    }

    /** True while part of a message has been read but not all of it. */
    boolean inFrame() {
        return frameStart >= 0;
    }

    /** Bytes read of the message in progress (0 between messages). */
    long frameBytes() {
        return frameStart >= 0 ? fed - frameStart : 0;
    }

    private void drain() {
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.NOT_AVAILABLE && token != null) {
            if (open.isEmpty() && frameStart < 0) {
                frameStart = parser.currentTokenLocation().getByteOffset();
                if (token != JsonToken.START_OBJECT) {
                    throw new ProtocolException("a message must be a JSON object, not " + token);
                }
            }
            switch (token) {
                case START_OBJECT -> push(Values.NODES.objectNode());
                case START_ARRAY -> push(Values.NODES.arrayNode());
                case END_OBJECT, END_ARRAY -> {
                    JsonNode done = open.pop();
                    if (open.isEmpty()) {
                        frameStart = -1;
                        sink.accept(done);
                    }
                }
                case PROPERTY_NAME -> property = parser.currentName();
                case VALUE_STRING -> add(Values.NODES.stringNode(parser.getString()));
                case VALUE_NUMBER_INT -> add(switch (parser.getNumberType()) {
                    case INT, LONG -> Values.NODES.numberNode(parser.getLongValue());
                    default -> Values.NODES.numberNode(parser.getBigIntegerValue());
                });
                case VALUE_NUMBER_FLOAT -> add(Values.NODES.numberNode(parser.getDoubleValue()));
                case VALUE_TRUE -> add(Values.NODES.booleanNode(true));
                case VALUE_FALSE -> add(Values.NODES.booleanNode(false));
                case VALUE_NULL -> add(Values.NODES.nullNode());
                default -> throw new ProtocolException("unexpected JSON token " + token);
            }
        }
    }

    private void push(JsonNode container) {
        if (!open.isEmpty()) {
            add(container);
        }
        open.push(container);
    }

    private void add(JsonNode value) {
        JsonNode parent = open.peek();
        if (parent instanceof ObjectNode object) {
            object.set(property, value);
        } else if (parent instanceof ArrayNode array) {
            array.add(value);
        } else {
            throw new ProtocolException("a message must be a JSON object, not a bare value");
        }
    }
}
