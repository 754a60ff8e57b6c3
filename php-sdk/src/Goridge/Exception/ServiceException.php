<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * The server answered an RPC call with an error frame.
 *
 * The message keeps the official SDK's wording, `Error '<text>' on <relay>`. rr's server sends
 * errors as `<RR_ERR_CODE>: <message>`; {@see getErrorCode()} extracts that code so callers can
 * branch on it instead of matching message text. Errors coming from Go's net/rpc wording
 * (`rpc: can't find method X.Y`) carry no code.
 */
class ServiceException extends RPCException
{
    private const CODE_PATTERN = '/^\s*(RR_ERR_[A-Z0-9_]+)(?::\s?|\s+|$)/';

    private string $serviceError = '';

    /**
     * Builds the exception for an error frame received from `$relay`.
     */
    public static function fromServiceError(string $error, string $relay): self
    {
        $e = new self(\sprintf("Error '%s' on %s", $error, $relay));
        $e->serviceError = $error;

        return $e;
    }

    /** The error text exactly as the server sent it. */
    public function getServiceError(): string
    {
        return $this->serviceError;
    }

    /** The leading `RR_ERR_*` code of the server's error text, or null when there is none. */
    public function getErrorCode(): ?string
    {
        return \preg_match(self::CODE_PATTERN, $this->serviceError, $m) === 1 ? $m[1] : null;
    }

    /** The server's error text without its leading `RR_ERR_*: ` code. */
    public function getErrorMessage(): string
    {
        $stripped = \preg_replace(self::CODE_PATTERN, '', $this->serviceError, 1);

        return $stripped ?? $this->serviceError;
    }
}
