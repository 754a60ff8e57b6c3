<?php

namespace Psr\SimpleCache;

/**
 * Test fixture: psr/simple-cache 2/3's CacheException signature.
 */
interface CacheException extends \Throwable
{
}
