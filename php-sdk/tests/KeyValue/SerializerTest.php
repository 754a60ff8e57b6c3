<?php

declare(strict_types=1);

namespace RR\Tests\KeyValue;

use PHPUnit\Framework\TestCase;
use RR\KeyValue\Exception\KeyValueException;
use RR\KeyValue\Exception\SerializationException;
use RR\KeyValue\Serializer\DefaultSerializer;
use RR\KeyValue\Serializer\IgbinarySerializer;
use RR\KeyValue\Serializer\SerializerInterface;
use RR\KeyValue\Serializer\SodiumSerializer;

final class SerializerTest extends TestCase
{
    /**
     * @return iterable<string, array{SerializerInterface}>
     */
    public function serializers(): iterable
    {
        yield 'default' => [new DefaultSerializer()];
        yield 'igbinary' => [new IgbinarySerializer()];
        yield 'sodium over default' => [new SodiumSerializer(new DefaultSerializer(), \sodium_crypto_box_keypair())];
        yield 'sodium over igbinary' => [new SodiumSerializer(new IgbinarySerializer(), \sodium_crypto_box_keypair())];
    }

    /**
     * @dataProvider serializers
     */
    public function testValuesRoundTrip(SerializerInterface $serializer): void
    {
        $values = [null, false, true, 0, \PHP_INT_MIN, -0.5, 1e100, '', "\x00\xff", 'ünï', [], [1, 'a' => [null]], (object) ['x' => 1], new \DateTimeImmutable('2026-11-23T17:00:00+00:00'), new SerializableThing('kept')];

        foreach ($values as $i => $value) {
            $bytes = $serializer->serialize($value);
            self::assertIsString($bytes);
            self::assertEquals($value, $serializer->unserialize($bytes), "#$i");
        }
    }

    /**
     * @dataProvider serializers
     */
    public function testGarbageIsASerializationException(SerializerInterface $serializer): void
    {
        foreach (['', 'zzz', "\x00\x00\x00\x02garbage", \str_repeat("\xff", 64)] as $bytes) {
            try {
                $serializer->unserialize($bytes);
                self::fail('accepted ' . \bin2hex($bytes));
            } catch (SerializationException $e) {
                self::assertInstanceOf(KeyValueException::class, $e);
            }
        }
    }

    /**
     * @dataProvider serializers
     */
    public function testUnserializableValuesAreASerializationException(SerializerInterface $serializer): void
    {
        $this->expectException(SerializationException::class);
        $serializer->serialize(static fn () => 1);
    }

    public function testTheDefaultSerializerWritesPhpSerializeFormat(): void
    {
        self::assertSame('a:1:{s:1:"a";i:1;}', (new DefaultSerializer())->serialize(['a' => 1]));
        self::assertFalse((new DefaultSerializer())->unserialize('b:0;'));
    }

    public function testAllowedClassesLimitsWhatObjectsComeBack(): void
    {
        $bytes = (new DefaultSerializer())->serialize([new SerializableThing('x'), new \ArrayObject()]);

        $none = (new DefaultSerializer(false))->unserialize($bytes);
        self::assertInstanceOf(\__PHP_Incomplete_Class::class, $none[0]);
        self::assertInstanceOf(\__PHP_Incomplete_Class::class, $none[1]);

        $some = (new DefaultSerializer([SerializableThing::class]))->unserialize($bytes);
        self::assertEquals(new SerializableThing('x'), $some[0]);
        self::assertInstanceOf(\__PHP_Incomplete_Class::class, $some[1]);
    }

    public function testSodiumNeedsTheKeyPairThatSealedTheValue(): void
    {
        $sealed = (new SodiumSerializer(new DefaultSerializer(), \sodium_crypto_box_keypair()))->serialize('secret');
        self::assertStringNotContainsString('secret', $sealed);

        $this->expectException(SerializationException::class);
        $this->expectExceptionMessage('Unable to decrypt the value');
        (new SodiumSerializer(new DefaultSerializer(), \sodium_crypto_box_keypair()))->unserialize($sealed);
    }

    public function testSodiumRefusesSomethingThatIsNotAKeyPair(): void
    {
        $this->expectException(SerializationException::class);
        $this->expectExceptionMessage('A sodium key pair has 64 bytes, got 32');
        new SodiumSerializer(new DefaultSerializer(), \sodium_crypto_box_publickey(\sodium_crypto_box_keypair()));
    }

    public function testTheErrorHandlerIsRestoredAfterAFailure(): void
    {
        $before = \set_error_handler(null);
        \restore_error_handler();
        try {
            (new DefaultSerializer())->unserialize('zzz');
        } catch (SerializationException $e) {
            self::assertStringContainsString('Error at offset 0 of 3 bytes', $e->getMessage());
        }
        $after = \set_error_handler(null);
        \restore_error_handler();

        self::assertSame($before, $after);
    }
}

final class SerializableThing
{
    public function __construct(public string $value)
    {
    }
}
