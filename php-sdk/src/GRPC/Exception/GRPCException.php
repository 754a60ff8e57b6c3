<?php

declare(strict_types=1);

namespace RR\GRPC\Exception;

use RR\GRPC\StatusCode;

/**
 * Throw it from a service method to answer with a gRPC status (Spiral\RoadRunner\GRPC\Exception\GRPCException).
 * The server sends it to rr as a `google.rpc.Status` (code, message, details), PROTOCOL §7.3.
 * Subclasses set their default code with `protected const CODE`.
 */
class GRPCException extends \RuntimeException implements GRPCExceptionInterface
{
    protected const CODE = StatusCode::UNKNOWN;

    /** @var list<object> */
    private array $details;

    /**
     * @param list<object> $details
     */
    final public function __construct(string $message = '', ?int $code = null, array $details = [], ?\Throwable $previous = null)
    {
        parent::__construct($message, $code ?? static::CODE, $previous);
        $this->details = \array_values($details);
    }

    /**
     * @param list<object> $details
     */
    public static function create(string $message = '', ?int $code = null, array $details = [], ?\Throwable $previous = null): static
    {
        return new static($message, $code, $details, $previous);
    }

    public function getDetails(): array
    {
        return $this->details;
    }

    /**
     * @param list<object> $details
     */
    public function setDetails(array $details): void
    {
        $this->details = \array_values($details);
    }

    public function addDetails(object $detail): void
    {
        $this->details[] = $detail;
    }
}
