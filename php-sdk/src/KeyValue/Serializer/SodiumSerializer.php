<?php

declare(strict_types=1);

namespace RR\KeyValue\Serializer;

use RR\KeyValue\Exception\SerializationException;

/**
 * Encrypts what another serializer produces with a libsodium sealed box
 * (Spiral\RoadRunner\KeyValue\Serializer\SodiumSerializer), so rr and its backend only ever see
 * ciphertext. `$keyPair` is a `sodium_crypto_box_keypair()`; every worker reading the values needs
 * the same one. Needs ext-sodium.
 */
final class SodiumSerializer implements SerializerInterface
{
    /**
     * @throws SerializationException when ext-sodium is not loaded or the key pair is not one
     */
    public function __construct(
        private readonly SerializerInterface $serializer,
        #[\SensitiveParameter]
        private readonly string $keyPair,
    ) {
        if (!\function_exists('sodium_crypto_box_seal')) {
            throw new SerializationException('The SodiumSerializer needs the sodium extension (ext-sodium)');
        }
        if (\strlen($keyPair) !== \SODIUM_CRYPTO_BOX_KEYPAIRBYTES) {
            throw new SerializationException(\sprintf('A sodium key pair has %d bytes, got %d', \SODIUM_CRYPTO_BOX_KEYPAIRBYTES, \strlen($keyPair)));
        }
    }

    public function serialize(mixed $value): string
    {
        return \sodium_crypto_box_seal((string) $this->serializer->serialize($value), \sodium_crypto_box_publickey($this->keyPair));
    }

    public function unserialize(string $value): mixed
    {
        try {
            $plain = \sodium_crypto_box_seal_open($value, $this->keyPair);
        } catch (\SodiumException $e) {
            throw new SerializationException('Unable to decrypt the value: ' . $e->getMessage(), 0, $e);
        }
        if ($plain === false) {
            throw new SerializationException('Unable to decrypt the value: not sealed for this key pair, or altered');
        }

        return $this->serializer->unserialize($plain);
    }
}
