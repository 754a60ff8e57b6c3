<?php

declare(strict_types=1);

namespace RR\Http;

use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestFactoryInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Message\StreamFactoryInterface;
use Psr\Http\Message\StreamInterface;
use Psr\Http\Message\UploadedFileFactoryInterface;
use Psr\Http\Message\UploadedFileInterface;
use RR\Worker\WorkerInterface;

/**
 * PSR-7 on top of {@see HttpWorker} (Spiral\RoadRunner\Http\PSR7Worker). Needs only the PSR-7 and
 * PSR-17 interfaces; bring any implementation (Nyholm, Guzzle, Laminas…):
 *
 * ```php
 * $factory = new Nyholm\Psr7\Factory\Psr17Factory();
 * $psr7 = new PSR7Worker(Worker::create(), $factory, $factory, $factory);
 * while ($request = $psr7->waitRequest()) {
 *     $psr7->respond($factory->createResponse(200)->withBody($factory->createStream('hello')));
 * }
 * ```
 *
 * Each request gets server parameters from {@see GlobalState::enrichServerVars()} (also assigned to
 * `$_SERVER`), the query from `parse_str(rawQuery)`, cookies, uploaded files opened from their
 * temporary files, headers, attributes (incl. `rr_parsed_body`), the protocol version (`HTTP/2.0`
 * gives `2`, anything but 1.0/1.1/2 gives `1.1`), the form tree as parsed body when `parsed`, and
 * the body stream when the body is not empty.
 *
 * A response with a 1xx status is sent as an interim response (more follow); any other as the
 * final one. With {@see $chunkSize} > 0 the body is streamed in chunks of that many bytes.
 */
class PSR7Worker implements PSR7WorkerInterface
{
    /**
     * Chunk size for streamed responses: 0 sends the body in one frame; N > 0 sends a frame per N
     * bytes (the last piece rides on the final frame).
     */
    public int $chunkSize = 0;

    /** Valid values of the PSR-7 protocol version. */
    private const ALLOWED_VERSIONS = ['1.0', '1.1', '2'];

    private readonly HttpWorker $httpWorker;

    public function __construct(
        WorkerInterface $worker,
        private readonly ServerRequestFactoryInterface $requestFactory,
        private readonly StreamFactoryInterface $streamFactory,
        private readonly UploadedFileFactoryInterface $uploadsFactory,
    ) {
        $this->httpWorker = new HttpWorker($worker);
    }

    public function getWorker(): WorkerInterface
    {
        return $this->httpWorker->getWorker();
    }

    public function getHttpWorker(): HttpWorker
    {
        return $this->httpWorker;
    }

    public function waitRequest(): ?ServerRequestInterface
    {
        $httpRequest = $this->httpWorker->waitRequest();
        if ($httpRequest === null) {
            return null;
        }

        $_SERVER = $this->configureServer($httpRequest);

        return $this->mapRequest($httpRequest, $_SERVER);
    }

    public function respond(ResponseInterface $response): void
    {
        $status = $response->getStatusCode();
        $informational = $status >= 100 && $status < 200;

        $this->httpWorker->respond(
            $status,
            $this->chunkSize > 0 && !$informational ? $this->streamToGenerator($response->getBody()) : (string) $response->getBody(),
            $response->getHeaders(),
            !$informational,
        );
    }

    /**
     * The body in chunks of {@see $chunkSize} bytes; when the size is known the last piece is the
     * generator's return value, so it travels in the final frame.
     *
     * @return \Generator<int, string, mixed, string>
     */
    private function streamToGenerator(StreamInterface $stream): \Generator
    {
        if ($stream->isSeekable()) {
            $stream->rewind();
        }

        $size = $stream->getSize();
        if ($size !== null && $size <= $this->chunkSize) {
            return $stream->getContents();
        }

        $read = 0;
        while (!$stream->eof()) {
            $chunk = $stream->read($this->chunkSize);
            if ($chunk === '') {
                break;
            }
            $read += \strlen($chunk);
            if ($size !== null && $read >= $size) {
                return $chunk;
            }

            yield $chunk;
        }

        return '';
    }

    /**
     * The request's `$_SERVER`.
     *
     * @return array<array-key, mixed>
     */
    protected function configureServer(Request $request): array
    {
        return GlobalState::enrichServerVars($request);
    }

    /**
     * @param array<array-key, mixed> $server
     *
     * @throws \JsonException when a parsed body is not JSON
     */
    protected function mapRequest(Request $httpRequest, array $server): ServerRequestInterface
    {
        $request = $this->requestFactory->createServerRequest($httpRequest->method, $httpRequest->uri, $server);

        $request = $request
            ->withProtocolVersion(self::fetchProtocolVersion($httpRequest->protocol))
            ->withCookieParams($httpRequest->cookies)
            ->withQueryParams($httpRequest->query)
            ->withUploadedFiles($this->wrapUploads($httpRequest->uploads));

        foreach ($httpRequest->attributes as $name => $value) {
            $request = $request->withAttribute((string) $name, $value);
        }

        foreach ($httpRequest->headers as $name => $value) {
            $request = $request->withHeader($name, $value);
        }

        if ($httpRequest->parsed) {
            $request = $request->withParsedBody($httpRequest->getParsedBody());
        }

        if ($httpRequest->body !== '') {
            return $request->withBody($this->streamFactory->createStream($httpRequest->body));
        }

        return $request;
    }

    /**
     * Turns the uploads tree into the same tree of UploadedFileInterface. A file is an entry whose
     * `name` is a string and `error` an int, so a form field called `name` stays a branch.
     *
     * @param array<array-key, mixed> $files
     *
     * @return array<array-key, mixed>
     */
    protected function wrapUploads(array $files): array
    {
        $result = [];

        foreach ($files as $index => $file) {
            if (!\is_array($file)) {
                continue;
            }

            $result[$index] = self::isFile($file) ? $this->wrapFile($file) : $this->wrapUploads($file);
        }

        return $result;
    }

    /**
     * @param array<array-key, mixed> $file
     */
    private static function isFile(array $file): bool
    {
        return \is_string($file['name'] ?? null) && \is_int($file['error'] ?? null);
    }

    /**
     * @param array<array-key, mixed> $file
     */
    private function wrapFile(array $file): UploadedFileInterface
    {
        /** @var int $error */
        $error = $file['error'];
        $tmpName = \is_string($file['tmpName'] ?? null) ? $file['tmpName'] : '';

        $stream = $error === \UPLOAD_ERR_OK
            ? $this->streamFactory->createStreamFromFile($tmpName)
            : $this->streamFactory->createStream();

        return $this->uploadsFactory->createUploadedFile(
            $stream,
            \is_int($file['size'] ?? null) ? $file['size'] : null,
            $error,
            (string) $file['name'],
            \is_string($file['mime'] ?? null) ? $file['mime'] : null,
        );
    }

    private static function fetchProtocolVersion(string $version): string
    {
        $v = \substr($version, 5);

        if ($v === '2.0') {
            return '2';
        }

        return \in_array($v, self::ALLOWED_VERSIONS, true) ? $v : '1.1';
    }
}
