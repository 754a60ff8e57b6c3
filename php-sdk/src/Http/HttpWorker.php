<?php

declare(strict_types=1);

namespace RR\Http;

use RR\Goridge\Exception\GoridgeException;
use RR\Goridge\Frame;
use RR\Http\Exception\RequestContextException;
use RR\Http\Exception\StreamStoppedException;
use RR\Http\Internal\Protobuf;
use RR\Worker\Exception\StreamStoppedException as WorkerStreamStoppedException;
use RR\Worker\Payload;
use RR\Worker\WorkerInterface;

/**
 * The HTTP side of the worker protocol (Spiral\RoadRunner\Http\HttpWorker, roadrunner-http 3.5+).
 *
 * ```php
 * $http = new HttpWorker(Worker::create());
 * while ($request = $http->waitRequest()) {
 *     $http->respond(200, 'hello ' . $request->uri, ['Content-Type' => ['text/plain']]);
 * }
 * ```
 *
 * **Encoding.** The first request of the process decides, for every HttpWorker of the process: a
 * request context that is valid JSON selects JSON (RoadRunner ≤ 2023.3), anything else protobuf
 * `http.v1.Request` (RoadRunner ≥ 2024.1). Responses use the same encoding: a JSON context
 * `{"status":…,"headers":{…}}` with frame codec CODEC_JSON (0x08), or `http.v1.Response` with
 * CODEC_PROTO (0x80).
 *
 * **Streaming.** A generator (or any iterable) body is sent chunk by chunk: every value is a frame
 * with the STREAM bit that repeats status and headers; the generator's return value goes out in the
 * final frame (none is sent when it is empty and `$endOfStream` is false). PING/PONG is handled by
 * the worker. When the server cancels the stream (STOP frame), a {@see StreamStoppedException} is
 * thrown into the generator at its current `yield`, an empty terminating payload (no context, no
 * codec, no STREAM bit) ends the stream, and further `respond()` calls for this request send
 * nothing. If the generator throws after the first chunk went out, the stream is ended the same way
 * and the exception is written to the error log: it cannot become an error response any more. An
 * exception before the first chunk propagates, nothing having been sent.
 *
 * **1xx.** `respond(103, '', ['Link' => [...]], false)` sends an interim response as a stream
 * frame; the final response follows with another `respond()`. A 1xx with a body is refused.
 */
class HttpWorker implements HttpWorkerInterface
{
    /** Frame codec of the encoding detected on the first request; null until then. */
    private static ?int $codec = null;

    /**
     * The response to the current request was ended early, with a terminating payload (the server
     * stopped the stream, or the body failed mid-stream): nothing more is sent for it.
     */
    private bool $cancelled = false;

    public function __construct(
        private readonly WorkerInterface $worker,
    ) {
    }

    public function getWorker(): WorkerInterface
    {
        return $this->worker;
    }

    /**
     * The frame codec of the detected encoding (Frame::CODEC_JSON or Frame::CODEC_PROTO), or null
     * before the first request.
     */
    public static function getCodec(): ?int
    {
        return self::$codec;
    }

    /**
     * Forgets the detected encoding, so the next request detects it again.
     *
     * @internal for tests that use both encodings in one process
     */
    public static function resetCodec(): void
    {
        self::$codec = null;
    }

    public function waitRequest(): ?Request
    {
        $this->cancelled = false;
        $payload = $this->worker->waitPayload();

        // Termination request
        if ($payload === null || ($payload->body === '' && $payload->header === '')) {
            return null;
        }

        self::$codec ??= self::isJson($payload->header) ? Frame::CODEC_JSON : Frame::CODEC_PROTO;

        return self::$codec === Frame::CODEC_PROTO
            ? $this->requestFromProto($payload->body, $payload->header)
            : $this->requestFromJson($payload->body, $payload->header);
    }

    public function respond(int $status, string|\Generator|iterable $body = '', array $headers = [], bool $endOfStream = true): void
    {
        if ($status >= 100 && $status < 200 && $body !== '') {
            throw new \InvalidArgumentException('Unable to send a body with informational status code.');
        }

        $context = $this->encodeContext($status, self::normalizeHeaders($headers));

        if ($this->cancelled) {
            return; // the server already ended this request
        }

        if (\is_string($body)) {
            $this->send(new Payload($body, $context, $endOfStream));

            return;
        }

        $this->respondStream($context, $body instanceof \Generator ? $body : (static fn(): \Generator => yield from $body)(), $endOfStream);
    }

    /**
     * @param \Generator<mixed, mixed, mixed, mixed> $body
     */
    private function respondStream(string $context, \Generator $body, bool $endOfStream): void
    {
        // Up to the first chunk sent, a failure propagates: nothing of this body went out yet.
        $started = false;

        try {
            while ($body->valid()) {
                $content = self::chunk($body->current());

                try {
                    $this->worker->respond(new Payload($content, $context, false), self::$codec);
                } catch (WorkerStreamStoppedException $stop) {
                    $this->stopGenerator($body, $stop);
                    $this->terminate();

                    return;
                }

                $started = true;
                $body->next();
            }

            $content = self::chunk($body->getReturn());
        } catch (GoridgeException $e) {
            throw $e; // the relay failed: nothing more can be sent
        } catch (\Throwable $e) {
            if (!$started) {
                throw $e;
            }

            self::log('the response body failed after the stream had started, the stream was ended early', $e);
            $this->terminate();

            return;
        }

        if ($endOfStream === false && $content === '') {
            return; // nothing to send, and the stream goes on
        }

        $this->send(new Payload($content, $context, $endOfStream));
    }

    /**
     * Sends one payload; a chunk refused because the server stopped the stream ends the stream.
     */
    private function send(Payload $payload): void
    {
        try {
            $this->worker->respond($payload, self::$codec);
        } catch (WorkerStreamStoppedException) {
            $this->terminate();
        }
    }

    /**
     * Lets the generator know the client is gone; whatever it yields next is not sent.
     *
     * @param \Generator<mixed, mixed, mixed, mixed> $body
     */
    private function stopGenerator(\Generator $body, WorkerStreamStoppedException $stop): void
    {
        $exception = new StreamStoppedException('The server stopped the stream: ' . $stop->getMessage(), 0, $stop);

        try {
            $body->throw($exception);
        } catch (WorkerStreamStoppedException) {
            // Not handled by the generator: the stream is over, which is all it means.
        } catch (\Throwable $e) {
            self::log('the response body generator threw while being stopped', $e);
        }
    }

    /**
     * Ends the stream early with an empty payload (option [0], no context, no codec, no STREAM), as
     * roadrunner-http does (PROTOCOL.md §3.10). After a STOP, RoadRunner discards frames up to this
     * one; otherwise it finishes the response, an empty context meaning "just write the body".
     */
    private function terminate(): void
    {
        $this->cancelled = true;
        $this->worker->respond(new Payload(''));
    }

    private static function chunk(mixed $value): string
    {
        if ($value === null || \is_scalar($value) || $value instanceof \Stringable) {
            return (string) $value;
        }

        throw new \InvalidArgumentException(\sprintf('A response body chunk must be a string, got %s', \get_debug_type($value)));
    }

    /**
     * @param array<array-key, list<string>> $headers
     */
    private function encodeContext(int $status, array $headers): string
    {
        if (self::$codec === Frame::CODEC_PROTO) {
            return Protobuf::encodeResponse($status, $headers);
        }

        // An object even when empty or when the names look like list keys: `{}`, never `[]`.
        return \json_encode(['status' => $status, 'headers' => (object) $headers], \JSON_THROW_ON_ERROR);
    }

    /**
     * name => value or list of values, to name => non-empty list of strings.
     *
     * @param array<array-key, mixed> $headers
     *
     * @return array<array-key, list<string>>
     */
    private static function normalizeHeaders(array $headers): array
    {
        $normalized = [];
        foreach ($headers as $name => $values) {
            if ($name === '') {
                throw new \InvalidArgumentException('A header name must not be empty');
            }

            $list = [];
            foreach (\is_iterable($values) ? $values : [$values] as $value) {
                if (\is_string($value) || \is_int($value) || \is_float($value) || $value instanceof \Stringable) {
                    $list[] = (string) $value;
                    continue;
                }

                throw new \InvalidArgumentException(\sprintf('Header "%s" has a value of type %s, expected a string', $name, \get_debug_type($value)));
            }

            if ($list !== []) {
                $normalized[$name] = $list;
            }
        }

        return $normalized;
    }

    private function requestFromJson(string $body, string $header): Request
    {
        try {
            $context = \json_decode($header, true, 512, \JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new RequestContextException(
                'Invalid HTTP request context: not JSON, though the first request of this process was (' . $e->getMessage() . ')',
                0,
                $e,
            );
        }

        if (!\is_array($context)) {
            throw new RequestContextException('Invalid HTTP request context: expected a JSON object, got ' . \get_debug_type($context));
        }

        $missing = \array_diff(['remoteAddr', 'protocol', 'method', 'uri', 'rawQuery', 'parsed'], \array_keys($context));
        if ($missing !== []) {
            throw new RequestContextException('Invalid HTTP request context: missing ' . \implode(', ', $missing));
        }

        $strings = [];
        foreach (['remoteAddr', 'protocol', 'method', 'uri', 'rawQuery'] as $key) {
            if (!\is_string($context[$key])) {
                throw new RequestContextException(\sprintf('Invalid HTTP request context: "%s" must be a string, got %s', $key, \get_debug_type($context[$key])));
            }
            $strings[$key] = $context[$key];
        }

        if (!\is_bool($context['parsed'])) {
            throw new RequestContextException('Invalid HTTP request context: "parsed" must be a boolean, got ' . \get_debug_type($context['parsed']));
        }

        $headers = [];
        foreach (self::object($context, 'headers') as $name => $values) {
            $values = \is_string($values) ? [$values] : $values;
            if (!\is_array($values) || \array_filter($values, static fn(mixed $v): bool => !\is_string($v)) !== []) {
                throw new RequestContextException(\sprintf('Invalid HTTP request context: header "%s" must be a list of strings', $name));
            }
            $headers[$name] = \array_values($values);
        }

        $cookies = [];
        foreach (self::object($context, 'cookies') as $name => $value) {
            if (!\is_scalar($value)) {
                throw new RequestContextException(\sprintf('Invalid HTTP request context: cookie "%s" must be a string', $name));
            }
            $cookies[$name] = (string) $value;
        }

        \parse_str($strings['rawQuery'], $query);

        return new Request(
            remoteAddr: $strings['remoteAddr'],
            protocol: $strings['protocol'],
            method: $strings['method'],
            uri: $strings['uri'],
            headers: self::filterHeaders($headers),
            cookies: $cookies,
            uploads: self::object($context, 'uploads'),
            attributes: [Request::PARSED_BODY_ATTRIBUTE_NAME => $context['parsed']] + self::object($context, 'attributes'),
            query: $query,
            body: $body,
            parsed: $context['parsed'],
            rawQuery: $strings['rawQuery'],
        );
    }

    private function requestFromProto(string $body, string $header): Request
    {
        $message = Protobuf::decodeRequest($header);

        $uploads = [];
        if ($message['uploads'] !== '') {
            try {
                $uploads = \json_decode($message['uploads'], true, 512, \JSON_THROW_ON_ERROR) ?? [];
            } catch (\JsonException $e) {
                throw new RequestContextException('Invalid HTTP request context: uploads (field 9) is not JSON: ' . $e->getMessage(), 0, $e);
            }
            if (!\is_array($uploads)) {
                throw new RequestContextException('Invalid HTTP request context: uploads (field 9) must be a JSON object, got ' . \get_debug_type($uploads));
            }
        }

        \parse_str($message['rawQuery'], $query);

        return new Request(
            remoteAddr: $message['remoteAddr'],
            protocol: $message['protocol'],
            method: $message['method'],
            uri: $message['uri'],
            headers: self::filterHeaders($message['headers']),
            cookies: \array_map(static fn(array $values): string => \implode(',', $values), $message['cookies']),
            uploads: $uploads,
            attributes: [Request::PARSED_BODY_ATTRIBUTE_NAME => $message['parsed']]
                + \array_map(static fn(array $values): ?string => $values[0] ?? null, $message['attributes']),
            query: $query,
            // RoadRunner ≥ 2024.1 sends an empty body for a form without fields; older ones sent `{}`.
            body: $message['parsed'] && $body === '' ? '{}' : $body,
            parsed: $message['parsed'],
            rawQuery: $message['rawQuery'],
        );
    }

    /**
     * An optional JSON object of the context (null or absent: empty).
     *
     * @param array<array-key, mixed> $context
     *
     * @return array<array-key, mixed>
     */
    private static function object(array $context, string $key): array
    {
        $value = $context[$key] ?? null;
        if ($value === null) {
            return [];
        }
        if (!\is_array($value)) {
            throw new RequestContextException(\sprintf('Invalid HTTP request context: "%s" must be an object or null, got %s', $key, \get_debug_type($value)));
        }

        return $value;
    }

    /**
     * Drops headers whose name is empty or numeric (PHP turns a numeric key into an int), as the
     * official SDK does: PSR-7 implementations reject such names.
     *
     * @param array<array-key, list<string>> $headers
     *
     * @return array<non-empty-string, list<string>>
     */
    private static function filterHeaders(array $headers): array
    {
        $filtered = [];
        foreach ($headers as $name => $values) {
            if (\is_string($name) && $name !== '') {
                $filtered[$name] = $values;
            }
        }

        return $filtered;
    }

    private static function isJson(string $data): bool
    {
        if (\function_exists('json_validate')) {
            return \json_validate($data);
        }

        \json_decode($data);

        return \json_last_error() === \JSON_ERROR_NONE;
    }

    private static function log(string $what, \Throwable $e): void
    {
        \error_log(\sprintf('%s: %s: %s', self::class, $what, $e));
    }
}
