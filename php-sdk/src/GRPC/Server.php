<?php

declare(strict_types=1);

namespace RR\GRPC;

use RR\Goridge\Frame;
use RR\GRPC\Exception\GRPCExceptionInterface;
use RR\GRPC\Exception\InvokeException;
use RR\GRPC\Exception\NotFoundException;
use RR\GRPC\Internal\ServiceWrapper;
use RR\GRPC\Internal\StatusEncoder;
use RR\Worker\Exception\StreamStoppedException;
use RR\Worker\Payload;
use RR\Worker\Worker;
use RR\Worker\WorkerInterface;

/**
 * Dispatches rr's gRPC calls (RR_MODE=grpc, PROTOCOL §7) to registered services
 * (Spiral\RoadRunner\GRPC\Server).
 *
 * A unary method returns a message; the answer is its bytes with a context
 * `{"headers": "<json>", "trailers": "<json>"}` (`{}` when none were set). A server-streaming method
 * returns an iterable of messages (usually a `\Generator`): each message goes out as one STREAM frame
 * with codec PROTO (0x80), the first one carrying the headers, and a final frame with codec JSON, no
 * message and the trailers ends the call. A {@see GRPCExceptionInterface} becomes
 * `{"error": "<base64 google.rpc.Status>"}`; any other exception a worker error (status INTERNAL).
 * Messages are any objects with mergeFromString()/serializeToString(), so protoc-generated classes
 * work with or without the google/protobuf runtime being this SDK's dependency.
 */
final class Server
{
    /** @var array<string, ServiceWrapper> */
    private array $services = [];

    /**
     * @param array{debug?: bool} $options `debug`: worker errors carry the full exception text and trace
     */
    public function __construct(private readonly array $options = [])
    {
    }

    /**
     * @param class-string $interface the service interface (with `const NAME`) that $service implements
     *
     * @throws \InvalidArgumentException when the interface or the service does not fit
     */
    public function registerService(string $interface, ServiceInterface $service): void
    {
        $wrapper = new ServiceWrapper($interface, $service);
        $this->services[$wrapper->name] = $wrapper;
    }

    /**
     * Serves calls until rr stops the worker.
     *
     * @param callable|null $finalize called after every call, with the exception when one was thrown
     */
    public function serve(?WorkerInterface $worker = null, ?callable $finalize = null): void
    {
        $worker ??= Worker::create();
        while (($request = $worker->waitPayload()) !== null) {
            $error = $this->handle($worker, $request);
            if ($finalize !== null) {
                $error === null ? $finalize() : $finalize($error);
            }
        }
    }

    /**
     * Answers one call; returns the exception it ended with, if any.
     */
    public function handle(WorkerInterface $worker, Payload $request): ?\Throwable
    {
        $context = null;
        try {
            $call = \json_decode($request->header, true, 512, \JSON_THROW_ON_ERROR);
            if (!\is_array($call) || !\is_string($call['service'] ?? null) || !\is_string($call['method'] ?? null)) {
                throw new \UnexpectedValueException('a gRPC request context needs string "service" and "method"');
            }
            $metadata = \is_array($call['context'] ?? null) ? $call['context'] : [];
            $context = (new Context($metadata))
                ->withValue(ResponseHeaders::class, new ResponseHeaders())
                ->withValue(ResponseTrailers::class, new ResponseTrailers());

            $service = $this->services[$call['service']] ?? throw NotFoundException::create(\sprintf('Service `%s` not found.', $call['service']));
            $result = $service->invoke($call['method'], $context, $request->body);

            if (\is_object($result) && \method_exists($result, 'serializeToString')) {
                $worker->respond(new Payload((string) $result->serializeToString(), self::answer($context, true)));
            } elseif (\is_iterable($result)) {
                $this->stream($worker, $result, $context);
            } else {
                throw InvokeException::create(\sprintf('%s/%s returned %s, not a message or an iterable of messages', $call['service'], $call['method'], \get_debug_type($result)));
            }
        } catch (GRPCExceptionInterface $e) {
            $worker->respond(new Payload('', self::errorAnswer($e, $context, true)));

            return $e;
        } catch (\Throwable $e) {
            $worker->error(($this->options['debug'] ?? false) ? (string) $e : $e->getMessage());

            return $e;
        }

        return null;
    }

    /**
     * @param iterable<mixed> $messages
     */
    private function stream(WorkerInterface $worker, iterable $messages, ContextInterface $context): void
    {
        $headersSent = false;
        try {
            foreach ($messages as $message) {
                if (!\is_object($message) || !\method_exists($message, 'serializeToString')) {
                    throw InvokeException::create(\sprintf('a streamed reply must be a message, got %s', \get_debug_type($message)));
                }
                $header = $headersSent ? '' : self::headersOnly($context);
                try {
                    $worker->respond(new Payload((string) $message->serializeToString(), $header, false), Frame::CODEC_PROTO);
                } catch (StreamStoppedException $stop) {
                    self::stopGenerator($messages, $stop);
                    // The client went away: end the stream; rr discards this frame.
                    $worker->respond(new Payload(''));

                    return;
                }
                $headersSent = true;
            }
        } catch (GRPCExceptionInterface $e) {
            $worker->respond(new Payload('', self::errorAnswer($e, $context, !$headersSent)), Frame::CODEC_JSON);

            return;
        }
        $worker->respond(new Payload('', self::answer($context, !$headersSent)), Frame::CODEC_JSON);
    }

    /**
     * Lets the generator see the cancellation (its finally blocks run); whatever it does next is moot.
     *
     * @param iterable<mixed> $messages
     */
    private static function stopGenerator(iterable $messages, StreamStoppedException $stop): void
    {
        if (!$messages instanceof \Generator) {
            return;
        }
        try {
            $messages->throw($stop);
        } catch (\Throwable) {
        }
    }

    /** `{"headers": …}` for the first chunk of a stream, '' when there are none. */
    private static function headersOnly(ContextInterface $context): string
    {
        $headers = $context->getValue(ResponseHeaders::class);

        return $headers instanceof ResponseHeaders && \count($headers) > 0
            ? \json_encode(['headers' => $headers->packHeaders()], \JSON_THROW_ON_ERROR)
            : '';
    }

    /** The response context: headers (unless already sent) and trailers, `{}` when empty. */
    /**
     * @param array<string, string> $extra
     */
    private static function answer(?ContextInterface $context, bool $withHeaders, array $extra = []): string
    {
        $out = [];
        $headers = $context?->getValue(ResponseHeaders::class);
        if ($withHeaders && $headers instanceof ResponseHeaders && \count($headers) > 0) {
            $out['headers'] = $headers->packHeaders();
        }
        $trailers = $context?->getValue(ResponseTrailers::class);
        if ($trailers instanceof ResponseTrailers && \count($trailers) > 0) {
            $out['trailers'] = $trailers->packTrailers();
        }

        return \json_encode((object) ($out + $extra), \JSON_THROW_ON_ERROR);
    }

    private static function errorAnswer(GRPCExceptionInterface $e, ?ContextInterface $context, bool $withHeaders): string
    {
        try {
            $status = StatusEncoder::encode((int) $e->getCode(), $e->getMessage(), $e->getDetails());
        } catch (\InvalidArgumentException) {
            // A detail that cannot be packed must not turn the intended status into a worker error.
            $status = StatusEncoder::encode((int) $e->getCode(), $e->getMessage());
        }

        return self::answer($context, $withHeaders, ['error' => \base64_encode($status)]);
    }
}
