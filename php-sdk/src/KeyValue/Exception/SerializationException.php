<?php

declare(strict_types=1);

namespace RR\KeyValue\Exception;

/**
 * A value could not be serialized, or stored bytes could not be turned back into a value (e.g.
 * they were written by another serializer).
 */
class SerializationException extends KeyValueException
{
}
