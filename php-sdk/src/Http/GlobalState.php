<?php

declare(strict_types=1);

namespace RR\Http;

/**
 * `$_SERVER` for each request (Spiral\RoadRunner\Http\GlobalState).
 *
 * The process's own `$_SERVER` is captured once (on first use, or by {@see cacheServerVars()}) and
 * every request starts from that copy, so values of one request never leak into the next.
 */
final class GlobalState
{
    /** @var array<array-key, mixed>|null */
    private static ?array $cachedServer = null;

    /**
     * Captures the current `$_SERVER` as the base of every request's server parameters.
     */
    public static function cacheServerVars(): void
    {
        self::$cachedServer = $_SERVER;
    }

    /**
     * The captured `$_SERVER` plus the request's values:
     * `REQUEST_URI` (the absolute `uri`), `REQUEST_TIME`, `REQUEST_TIME_FLOAT`, `REMOTE_ADDR`
     * ({@see Request::getRemoteAddr()}), `REQUEST_METHOD`, `HTTP_USER_AGENT` (empty unless sent) and
     * `HTTP_<NAME>` for every header (`CONTENT_TYPE` and `CONTENT_LENGTH` without the prefix),
     * several values joined with `, `.
     *
     * @return array<array-key, mixed>
     */
    public static function enrichServerVars(Request $request): array
    {
        if (self::$cachedServer === null) {
            self::cacheServerVars();
        }

        $server = self::$cachedServer;
        $server['REQUEST_URI'] = $request->uri;
        $server['REQUEST_TIME'] = \time();
        $server['REQUEST_TIME_FLOAT'] = \microtime(true);
        $server['REMOTE_ADDR'] = $request->getRemoteAddr();
        $server['REQUEST_METHOD'] = $request->method;
        $server['HTTP_USER_AGENT'] = '';

        foreach ($request->headers as $name => $values) {
            $key = \strtoupper(\str_replace('-', '_', (string) $name));
            if ($key === 'CONTENT_TYPE' || $key === 'CONTENT_LENGTH') {
                $server[$key] = \implode(', ', $values);
                continue;
            }

            $server['HTTP_' . $key] = \implode(', ', $values);
        }

        return $server;
    }

    /**
     * Alias of {@see enrichServerVars()} under the name later official releases use.
     *
     * @return array<array-key, mixed>
     */
    public static function populateServer(Request $request): array
    {
        return self::enrichServerVars($request);
    }
}
