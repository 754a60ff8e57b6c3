<?php

declare(strict_types=1);

namespace RR\Http;

/**
 * One HTTP request as plain PHP values (Spiral\RoadRunner\Http\Request), built by
 * {@see HttpWorker::waitRequest()} from either request context encoding.
 *
 * - `headers`: canonical name => list of values (no `Host`: RoadRunner passes it in `uri`);
 * - `cookies`: name => value;
 * - `uploads`: the file tree, each file `['name', 'mime', 'size', 'error', 'tmpName']`;
 * - `attributes`: middleware attributes plus `rr_parsed_body` => `parsed`;
 * - `query`: `rawQuery` through `parse_str()`;
 * - `body`: the raw body; when `parsed` is true it is the JSON form tree, see {@see getParsedBody()}.
 *
 * `rawQuery` is an addition to the official class, last in the constructor so the official named
 * arguments keep working.
 *
 * @psalm-type UploadedFile = array{name: string, error: int, tmpName: string, size: int, mime: string}
 * @psalm-type HeadersList = array<non-empty-string, list<string>>
 * @psalm-type CookiesList = array<string, string>
 * @psalm-type AttributesList = array<string, mixed>
 * @psalm-type UploadedFilesList = array<array-key, mixed>
 *
 * @psalm-immutable
 */
final class Request
{
    /** Attribute carrying the `parsed` flag, as in the official SDK. */
    public const PARSED_BODY_ATTRIBUTE_NAME = 'rr_parsed_body';

    /**
     * @param HeadersList              $headers
     * @param CookiesList              $cookies
     * @param UploadedFilesList        $uploads
     * @param AttributesList           $attributes
     * @param array<array-key, mixed>  $query
     */
    public function __construct(
        public readonly string $remoteAddr = '127.0.0.1',
        public readonly string $protocol = 'HTTP/1.0',
        public readonly string $method = 'GET',
        public readonly string $uri = 'http://localhost',
        public readonly array $headers = [],
        public readonly array $cookies = [],
        public readonly array $uploads = [],
        public readonly array $attributes = [],
        public readonly array $query = [],
        public readonly string $body = '',
        public readonly bool $parsed = false,
        public readonly string $rawQuery = '',
    ) {
    }

    /**
     * The client address: the `ipAddress` attribute (set by RoadRunner's proxy-ip middleware) when
     * present, else `remoteAddr`.
     */
    public function getRemoteAddr(): string
    {
        $ip = $this->attributes['ipAddress'] ?? null;

        return \is_scalar($ip) ? (string) $ip : $this->remoteAddr;
    }

    /**
     * The form tree when `parsed` is true (url-encoded or multipart fields), else null.
     *
     * @return array<array-key, mixed>|null
     *
     * @throws \JsonException when the body is not the JSON form tree
     */
    public function getParsedBody(): ?array
    {
        if (!$this->parsed) {
            return null;
        }

        return (array) \json_decode($this->body, true, 512, \JSON_THROW_ON_ERROR);
    }
}
