<?php

declare(strict_types=1);

namespace RR\Tests\Telemetry;

use RR\Tests\Support\Fork;
use RR\Tests\Support\Servers;

/**
 * An OTLP/HTTP collector in a forked child: accepts one request on an ephemeral port, records it
 * (request line, headers, body) in a temporary file and answers with `$status`. The record is
 * written before the answer, so it is complete once the exporter returns.
 */
final class FakeCollector
{
    private readonly Servers $servers;

    private readonly string $record;

    private ?int $pid = null;

    /** http://127.0.0.1:<port> */
    public readonly string $url;

    public function __construct(int $status = 200, string $answer = '{}')
    {
        $this->servers = new Servers();
        [$server, $address] = $this->servers->tcp();
        $this->url = 'http://' . \substr($address, \strlen('tcp://'));
        $this->record = \tempnam(\sys_get_temp_dir(), 'rr-otlp-');
        $record = $this->record;
        $this->pid = Fork::run(static function () use ($server, $record, $status, $answer): void {
            $conn = Servers::accept($server);
            $head = '';
            while (!\str_contains($head, "\r\n\r\n")) {
                $chunk = \fread($conn, 1);
                if ($chunk === '' || $chunk === false) {
                    return;
                }
                $head .= $chunk;
            }
            [$head] = \explode("\r\n\r\n", $head, 2);
            $lines = \explode("\r\n", $head);
            $requestLine = \array_shift($lines);
            $headers = [];
            foreach ($lines as $line) {
                [$name, $value] = \explode(':', $line, 2);
                $headers[\strtolower(\trim($name))] = \trim($value);
            }
            $length = (int) ($headers['content-length'] ?? 0);
            $body = '';
            while (\strlen($body) < $length) {
                $chunk = \fread($conn, $length - \strlen($body));
                if ($chunk === '' || $chunk === false) {
                    break;
                }
                $body .= $chunk;
            }
            \file_put_contents($record, \json_encode(['requestLine' => $requestLine, 'headers' => $headers, 'body' => $body]));
            $reason = $status === 200 ? 'OK' : 'Error';
            \fwrite($conn, "HTTP/1.1 $status $reason\r\nContent-Type: application/json\r\nContent-Length: " . \strlen($answer) . "\r\nConnection: close\r\n\r\n" . $answer);
            \fclose($conn);
        });
    }

    /**
     * What the collector received.
     *
     * @return array{requestLine: string, headers: array<string, string>, body: string}
     */
    public function request(): array
    {
        $this->close();

        return \json_decode((string) \file_get_contents($this->record), true, 512, \JSON_THROW_ON_ERROR);
    }

    /**
     * The decoded OTLP/JSON body.
     *
     * @return array<string, mixed>
     */
    public function body(): array
    {
        return \json_decode($this->request()['body'], true, 512, \JSON_THROW_ON_ERROR);
    }

    public function close(): void
    {
        if ($this->pid !== null) {
            Fork::reap($this->pid);
            $this->pid = null;
        }
        $this->servers->close();
    }

    public function __destruct()
    {
        $this->close();
        @\unlink($this->record);
    }
}
