/*
 * ovn-k8s-cni-overlay: the CNI plugin kubelet executes. It does no networking itself: it forwards the request
 * (its environment and the network configuration from stdin) to the ovnk CNI server over a unix socket, as
 * ovn-kubernetes' shim does, and prints the server's answer.
 *
 *   request:  POST / HTTP/1.1 over the unix socket, body
 *             {"env":{"CNI_COMMAND":"ADD",...every variable of the environment...},"config":"<base64 of stdin>"}
 *   answer:   HTTP 200 + the CNI result (printed, exit 0), or HTTP 4xx/5xx + a CNI error (printed, exit 1)
 *
 * The socket is the top-level "socketPath" string of the configuration when present, else DEFAULT_SOCKET. When
 * the server cannot be reached the shim prints a CNI error itself: code 11 (try again later), or 50 (plugin not
 * available) for STATUS; VERSION is then answered locally. Every size is bounded and every socket operation has a
 * timeout, so the shim never hangs kubelet.
 *
 * Written in C because it must start fast: a JVM needs 100-190 ms just to start, the whole CNI ADD should take
 * less than 100 ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/var/run/ovn-kubernetes/cni/ovn-cni-server.sock"
#define CURRENT_VERSION "1.1.0"
#define SUPPORTED_VERSIONS "[\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"
#define MAX_STDIN (1u << 20)         /* network configuration */
#define MAX_RESPONSE (4u << 20)      /* a CNI result is a few hundred bytes */
#define MAX_FIELD 512                /* socketPath, cniVersion */
#define SEND_TIMEOUT_SECONDS 30
#define RECEIVE_TIMEOUT_SECONDS 330  /* longer than the server's longest ADD (annotation + plumbing deadlines) */
#define MAX_JSON_DEPTH 64

#define ERR_IO 5
#define ERR_DECODE 6
#define ERR_INVALID_CONFIG 7
#define ERR_TRY_AGAIN_LATER 11
#define ERR_NOT_AVAILABLE 50

extern char **environ;

/* ---- a growable byte buffer; an allocation failure ends the process with a CNI error ---- */

struct buf {
    char *data;
    size_t len;
    size_t cap;
};

static void fail(const char *version, int code, const char *details, const char *format, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

static void buf_reserve(struct buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (data == NULL) {
        fail(CURRENT_VERSION, ERR_IO, NULL, "out of memory (%zu bytes)", cap);
    }
    b->data = data;
    b->cap = cap;
}

static void buf_add(struct buf *b, const void *bytes, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

/* A JSON string: quotes, backslash and control characters escaped; bytes >= 0x80 (UTF-8) passed through. */
static void buf_json_string(struct buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        switch (c) {
        case '"': buf_add(b, "\\\"", 2); break;
        case '\\': buf_add(b, "\\\\", 2); break;
        case '\b': buf_add(b, "\\b", 2); break;
        case '\f': buf_add(b, "\\f", 2); break;
        case '\n': buf_add(b, "\\n", 2); break;
        case '\r': buf_add(b, "\\r", 2); break;
        case '\t': buf_add(b, "\\t", 2); break;
        default:
            if (c < 0x20) {
                char escaped[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                buf_add(b, escaped, 6);
            } else {
                buf_add(b, &s[i], 1);
            }
        }
    }
    buf_add(b, "\"", 1);
}

static void buf_base64(struct buf *b, const unsigned char *in, size_t n) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    buf_reserve(b, (n + 2) / 3 * 4);
    char *out = b->data + b->len;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned) in[i] << 16 | (unsigned) in[i + 1] << 8 | in[i + 2];
        *out++ = alphabet[v >> 18 & 63];
        *out++ = alphabet[v >> 12 & 63];
        *out++ = alphabet[v >> 6 & 63];
        *out++ = alphabet[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned) in[i] << 16 | (i + 1 < n ? (unsigned) in[i + 1] << 8 : 0);
        *out++ = alphabet[v >> 18 & 63];
        *out++ = alphabet[v >> 12 & 63];
        *out++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        *out++ = '=';
    }
    b->len = (size_t) (out - b->data);
    b->data[b->len] = '\0';
}

/* ---- output ---- */

static int write_all(int fd, const char *data, size_t n) {
    while (n > 0) {
        ssize_t written = write(fd, data, n);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return -1;
        }
        data += written;
        n -= (size_t) written;
    }
    return 0;
}

/* Prints a CNI error {"cniVersion","code","msg","details"} on stdout and exits 1. */
static void fail(const char *version, int code, const char *details, const char *format, ...) {
    char msg[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(msg, sizeof msg, format, args);
    va_end(args);
    struct buf out = { 0 };
    char number[16];
    snprintf(number, sizeof number, "%d", code);
    buf_str(&out, "{\"cniVersion\":");
    buf_json_string(&out, version, strlen(version));
    buf_str(&out, ",\"code\":");
    buf_str(&out, number);
    buf_str(&out, ",\"msg\":");
    buf_json_string(&out, msg, strlen(msg));
    if (details != NULL && details[0] != '\0') {
        buf_str(&out, ",\"details\":");
        buf_json_string(&out, details, strlen(details));
    }
    buf_str(&out, "}\n");
    write_all(STDOUT_FILENO, out.data, out.len);
    exit(1);
}

/* ---- just enough JSON to read a top-level string field of the configuration ---- */

struct scan {
    const char *p;
    const char *end;
};

static void skip_ws(struct scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) {
        s->p++;
    }
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(struct scan *s, unsigned *value) {
    if (s->end - s->p < 4) {
        return 0;
    }
    *value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_value(s->p[i]);
        if (digit < 0) {
            return 0;
        }
        *value = *value << 4 | (unsigned) digit;
    }
    s->p += 4;
    return 1;
}

static void put_byte(char *out, size_t cap, size_t *len, int *overflow, unsigned char c) {
    if (out == NULL) {
        return;
    }
    if (*len + 1 >= cap) {
        *overflow = 1;
        return;
    }
    out[(*len)++] = (char) c;
}

/*
 * A string at s->p (which is '"'), decoded into out (NUL-terminated) unless out is NULL. Returns 0 when it is not
 * a valid JSON string; sets *overflow when it did not fit.
 */
static int scan_string(struct scan *s, char *out, size_t cap, int *overflow) {
    size_t len = 0;
    *overflow = 0;
    if (s->p >= s->end || *s->p != '"') {
        return 0;
    }
    s->p++;
    while (s->p < s->end) {
        unsigned char c = (unsigned char) *s->p++;
        if (c == '"') {
            if (out != NULL) {
                out[len] = '\0';
            }
            return 1;
        }
        if (c < 0x20) {
            return 0;
        }
        if (c != '\\') {
            put_byte(out, cap, &len, overflow, c);
            continue;
        }
        if (s->p >= s->end) {
            return 0;
        }
        char e = *s->p++;
        unsigned cp;
        switch (e) {
        case '"': case '\\': case '/': put_byte(out, cap, &len, overflow, (unsigned char) e); continue;
        case 'b': put_byte(out, cap, &len, overflow, '\b'); continue;
        case 'f': put_byte(out, cap, &len, overflow, '\f'); continue;
        case 'n': put_byte(out, cap, &len, overflow, '\n'); continue;
        case 'r': put_byte(out, cap, &len, overflow, '\r'); continue;
        case 't': put_byte(out, cap, &len, overflow, '\t'); continue;
        case 'u':
            if (!read_hex4(s, &cp)) {
                return 0;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned low;
                if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u') {
                    return 0;
                }
                s->p += 2;
                if (!read_hex4(s, &low) || low < 0xDC00 || low > 0xDFFF) {
                    return 0;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return 0;
            }
            if (cp == 0) {
                return 0; /* a NUL cannot be part of a path */
            }
            if (cp < 0x80) {
                put_byte(out, cap, &len, overflow, (unsigned char) cp);
            } else if (cp < 0x800) {
                put_byte(out, cap, &len, overflow, (unsigned char) (0xC0 | cp >> 6));
                put_byte(out, cap, &len, overflow, (unsigned char) (0x80 | (cp & 0x3F)));
            } else if (cp < 0x10000) {
                put_byte(out, cap, &len, overflow, (unsigned char) (0xE0 | cp >> 12));
                put_byte(out, cap, &len, overflow, (unsigned char) (0x80 | (cp >> 6 & 0x3F)));
                put_byte(out, cap, &len, overflow, (unsigned char) (0x80 | (cp & 0x3F)));
            } else {
                put_byte(out, cap, &len, overflow, (unsigned char) (0xF0 | cp >> 18));
                put_byte(out, cap, &len, overflow, (unsigned char) (0x80 | (cp >> 12 & 0x3F)));
                put_byte(out, cap, &len, overflow, (unsigned char) (0x80 | (cp >> 6 & 0x3F)));
                put_byte(out, cap, &len, overflow, (unsigned char) (0x80 | (cp & 0x3F)));
            }
            continue;
        default:
            return 0;
        }
    }
    return 0;
}

static int skip_value(struct scan *s, int depth) {
    int overflow;
    skip_ws(s);
    if (s->p >= s->end || depth > MAX_JSON_DEPTH) {
        return 0;
    }
    char c = *s->p;
    if (c == '"') {
        return scan_string(s, NULL, 0, &overflow);
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        s->p++;
        skip_ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                skip_ws(s);
                if (!scan_string(s, NULL, 0, &overflow)) {
                    return 0;
                }
                skip_ws(s);
                if (s->p >= s->end || *s->p++ != ':') {
                    return 0;
                }
            }
            if (!skip_value(s, depth + 1)) {
                return 0;
            }
            skip_ws(s);
            if (s->p >= s->end) {
                return 0;
            }
            char next = *s->p++;
            if (next == close) {
                return 1;
            }
            if (next != ',') {
                return 0;
            }
        }
    }
    const char *start = s->p;
    while (s->p < s->end && *s->p != '\0' && strchr("+-.0123456789eEtruefalsn", *s->p) != NULL) {
        s->p++;
    }
    return s->p > start;
}

/* The top-level string field `key` of the JSON object in data: 1 and its value in out, or 0 (absent, invalid). */
static int top_level_string(const char *data, size_t n, const char *key, char *out, size_t cap) {
    struct scan s = { data, data + n };
    char name[64];
    int overflow;
    skip_ws(&s);
    if (s.p >= s.end || *s.p++ != '{') {
        return 0;
    }
    skip_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        return 0;
    }
    for (;;) {
        skip_ws(&s);
        if (!scan_string(&s, name, sizeof name, &overflow)) {
            return 0;
        }
        int wanted = !overflow && strcmp(name, key) == 0;
        skip_ws(&s);
        if (s.p >= s.end || *s.p++ != ':') {
            return 0;
        }
        skip_ws(&s);
        if (wanted) {
            if (s.p >= s.end || *s.p != '"') {
                return 0;
            }
            return scan_string(&s, out, cap, &overflow) && !overflow;
        }
        if (!skip_value(&s, 1)) {
            return 0;
        }
        skip_ws(&s);
        if (s.p >= s.end || *s.p != ',') {
            return 0;
        }
        s.p++;
    }
}

/* ---- the exchange ---- */

static void read_stdin(struct buf *in) {
    for (;;) {
        buf_reserve(in, 65536);
        ssize_t n = read(STDIN_FILENO, in->data + in->len, 65536);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail(CURRENT_VERSION, ERR_IO, strerror(errno), "cannot read the network configuration from stdin");
        }
        if (n == 0) {
            in->data[in->len] = '\0';
            return;
        }
        in->len += (size_t) n;
        if (in->len > MAX_STDIN) {
            fail(CURRENT_VERSION, ERR_INVALID_CONFIG, NULL, "the network configuration on stdin exceeds %u bytes",
                    MAX_STDIN);
        }
    }
}

static void build_request(struct buf *request, const struct buf *config) {
    struct buf body = { 0 };
    buf_str(&body, "{\"env\":{");
    int first = 1;
    for (char **var = environ; *var != NULL; var++) {
        const char *equals = strchr(*var, '=');
        if (equals == NULL || equals == *var) {
            continue;
        }
        if (!first) {
            buf_add(&body, ",", 1);
        }
        first = 0;
        buf_json_string(&body, *var, (size_t) (equals - *var));
        buf_add(&body, ":", 1);
        buf_json_string(&body, equals + 1, strlen(equals + 1));
    }
    buf_str(&body, "},\"config\":\"");
    buf_base64(&body, (const unsigned char *) config->data, config->len);
    buf_str(&body, "\"}");

    char header[256];
    int n = snprintf(header, sizeof header,
            "POST / HTTP/1.1\r\nHost: dummy\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n", body.len);
    buf_add(request, header, (size_t) n);
    buf_add(request, body.data, body.len);
    free(body.data);
}

static int find_header_end(const char *data, size_t len) {
    for (size_t i = 0; i + 3 < len; i++) {
        if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') {
            return (int) i;
        }
    }
    return -1;
}

/* The Content-Length of the headers in data[0..end), or -1 when absent. */
static long content_length(const char *data, size_t end) {
    static const char name[] = "\r\ncontent-length:";
    size_t name_len = sizeof name - 1;
    for (size_t i = 0; i + name_len <= end; i++) {
        if (strncasecmp(data + i, name, name_len) == 0) {
            const char *p = data + i + name_len;
            while (p < data + end && (*p == ' ' || *p == '\t')) {
                p++;
            }
            char *stop;
            long value = strtol(p, &stop, 10);
            return stop == p || value < 0 ? -2 : value;
        }
    }
    return -1;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    const char *command = getenv("CNI_COMMAND");
    command = command == NULL ? "" : command;

    struct buf config = { 0 };
    read_stdin(&config);
    buf_reserve(&config, 0);

    char version[MAX_FIELD];
    if (!top_level_string(config.data, config.len, "cniVersion", version, sizeof version)) {
        strcpy(version, CURRENT_VERSION);
    }
    char path[MAX_FIELD];
    if (!top_level_string(config.data, config.len, "socketPath", path, sizeof path) || path[0] == '\0') {
        strcpy(path, DEFAULT_SOCKET);
    }

    struct sockaddr_un address = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof address.sun_path) {
        fail(version, ERR_INVALID_CONFIG, path, "socketPath is longer than %zu bytes", sizeof address.sun_path - 1);
    }
    strcpy(address.sun_path, path);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(version, ERR_IO, strerror(errno), "cannot create a unix socket");
    }
    struct timeval send_timeout = { .tv_sec = SEND_TIMEOUT_SECONDS };
    struct timeval receive_timeout = { .tv_sec = RECEIVE_TIMEOUT_SECONDS };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout);
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        int error = errno;
        if (strcmp(command, "VERSION") == 0) {
            /* kubelet's runtime may ask before the server runs; the answer does not depend on it */
            const char *answer = "{\"cniVersion\":\"" CURRENT_VERSION "\",\"supportedVersions\":" SUPPORTED_VERSIONS "}\n";
            return write_all(STDOUT_FILENO, answer, strlen(answer)) == 0 ? 0 : 1;
        }
        fail(version, strcmp(command, "STATUS") == 0 ? ERR_NOT_AVAILABLE : ERR_TRY_AGAIN_LATER, strerror(error),
                "cannot reach the ovnk CNI server at %s", path);
    }

    struct buf request = { 0 };
    build_request(&request, &config);
    for (size_t sent = 0; sent < request.len;) {
        ssize_t n = send(fd, request.data + sent, request.len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            /* the server may have answered early (request too large) and closed: read what it said */
            if (errno == EPIPE || errno == ECONNRESET) {
                break;
            }
            fail(version, ERR_TRY_AGAIN_LATER, strerror(errno), "cannot send the request to the ovnk CNI server at %s",
                    path);
        }
        sent += (size_t) n;
    }
    shutdown(fd, SHUT_WR);

    struct buf response = { 0 };
    int header_end = -1;
    long length = -1;
    for (;;) {
        buf_reserve(&response, 16384);
        ssize_t n = recv(fd, response.data + response.len, 16384, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            fail(version, ERR_TRY_AGAIN_LATER, NULL, "no answer from the ovnk CNI server at %s within %d s", path,
                    RECEIVE_TIMEOUT_SECONDS);
        }
        if (n < 0 && errno != ECONNRESET) {
            fail(version, ERR_IO, strerror(errno), "cannot read the answer of the ovnk CNI server at %s", path);
        }
        if (n <= 0) {
            break;
        }
        response.len += (size_t) n;
        response.data[response.len] = '\0';
        if (response.len > MAX_RESPONSE) {
            fail(version, ERR_IO, NULL, "the answer of the ovnk CNI server at %s exceeds %u bytes", path, MAX_RESPONSE);
        }
        if (header_end < 0 && (header_end = find_header_end(response.data, response.len)) >= 0) {
            length = content_length(response.data, (size_t) header_end + 2);
        }
        if (header_end >= 0 && length >= 0 && response.len >= (size_t) header_end + 4 + (size_t) length) {
            break;
        }
    }
    close(fd);

    int status = 0;
    if (response.len < 12 || strncmp(response.data, "HTTP/1.", 7) != 0
            || sscanf(response.data + 9, "%3d", &status) != 1) {
        fail(version, response.len == 0 ? ERR_TRY_AGAIN_LATER : ERR_IO, NULL,
                "the ovnk CNI server at %s %s", path, response.len == 0 ? "closed the connection without an answer"
                : "did not answer in HTTP");
    }
    if (header_end < 0 || length == -2) {
        fail(version, ERR_IO, NULL, "the ovnk CNI server at %s sent a malformed HTTP answer (status %d)", path, status);
    }
    const char *body = response.data + header_end + 4;
    size_t body_len = response.len - (size_t) header_end - 4;
    if (length >= 0) {
        if ((size_t) length > body_len) {
            fail(version, ERR_IO, NULL, "the answer of the ovnk CNI server at %s is truncated (%zu of %ld bytes)",
                    path, body_len, length);
        }
        body_len = (size_t) length;
    }
    if (status == 200) {
        return write_all(STDOUT_FILENO, body, body_len) == 0 ? 0 : 1;
    }
    if (body_len > 0 && body[0] == '{') {
        write_all(STDOUT_FILENO, body, body_len);
        return 1;
    }
    char details[512];
    snprintf(details, sizeof details, "%.*s", (int) (body_len < 400 ? body_len : 400), body);
    fail(version, ERR_IO, details, "the ovnk CNI server at %s answered HTTP %d", path, status);
}
