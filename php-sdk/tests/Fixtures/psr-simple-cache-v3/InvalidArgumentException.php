<?php

namespace Psr\SimpleCache;

/**
 * Test fixture: psr/simple-cache 2/3's InvalidArgumentException signature.
 */
interface InvalidArgumentException extends CacheException
{
}
