<?php

declare(strict_types=1);

namespace RR\KeyValue;

use RR\Goridge\RPC\RPCInterface;
use RR\KeyValue\Serializer\DefaultSerializer;
use RR\KeyValue\Serializer\SerializerAwareInterface;
use RR\KeyValue\Serializer\SerializerAwareTrait;
use RR\KeyValue\Serializer\SerializerInterface;

/**
 * Creates {@see Cache} storages over one RPC connection (Spiral\RoadRunner\KeyValue\Factory):
 *
 * ```php
 * $storage = (new Factory(RPC::create('tcp://127.0.0.1:6001')))->select('memory');
 * $storage->set('key', ['any' => 'value'], 60);
 * ```
 *
 * Every storage it selects uses the factory's serializer (PHP serialize() unless given).
 */
final class Factory implements FactoryInterface, SerializerAwareInterface
{
    use SerializerAwareTrait;

    public function __construct(
        private readonly RPCInterface $rpc,
        ?SerializerInterface $serializer = null,
    ) {
        $this->setSerializer($serializer ?? new DefaultSerializer());
    }

    public function select(string $name): StorageInterface
    {
        return new Cache($this->rpc, $name, $this->getSerializer());
    }
}
