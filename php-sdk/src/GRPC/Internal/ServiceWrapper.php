<?php

declare(strict_types=1);

namespace RR\GRPC\Internal;

use RR\GRPC\ContextInterface;
use RR\GRPC\Exception\InvokeException;
use RR\GRPC\Exception\NotFoundException;
use RR\GRPC\ServiceInterface;

/**
 * One registered service: its proto name and, per RPC method, the request message class found by
 * reflection on the service interface (the second parameter's class).
 *
 * @internal
 */
final class ServiceWrapper
{
    /** @var array<string, class-string> method name → request class */
    private array $methods = [];

    /** @var array<string, string> lower-cased method name → method name */
    private array $lower = [];

    public readonly string $name;

    /**
     * @param class-string $interface
     */
    public function __construct(string $interface, private readonly ServiceInterface $service)
    {
        if (!\interface_exists($interface)) {
            throw new \InvalidArgumentException(\sprintf('%s is not an interface', $interface));
        }
        $reflection = new \ReflectionClass($interface);
        if (!$reflection->isSubclassOf(ServiceInterface::class)) {
            throw new \InvalidArgumentException(\sprintf('%s must extend %s', $interface, ServiceInterface::class));
        }
        if (!$service instanceof $interface) {
            throw new \InvalidArgumentException(\sprintf('%s does not implement %s', $service::class, $interface));
        }
        $name = $reflection->getConstant('NAME');
        if (!\is_string($name) || $name === '') {
            throw new \InvalidArgumentException(\sprintf('%s must declare the proto service name: public const NAME = \'<package>.<Service>\'', $interface));
        }
        $this->name = $name;

        foreach ($reflection->getMethods() as $method) {
            $input = self::inputClass($method);
            if ($input !== null) {
                $this->methods[$method->getName()] = $input;
                $this->lower[\strtolower($method->getName())] = $method->getName();
            }
        }
    }

    /** @return list<string> */
    public function getMethods(): array
    {
        return \array_keys($this->methods);
    }

    /**
     * Decodes the request, calls the method and returns what it returned (a message or an iterable).
     */
    public function invoke(string $method, ContextInterface $context, string $body): mixed
    {
        $name = isset($this->methods[$method]) ? $method : ($this->lower[\strtolower($method)] ?? null);
        if ($name === null) {
            throw NotFoundException::create(\sprintf('Method `%s` not found in service `%s`.', $method, $this->name));
        }
        $class = $this->methods[$name];
        try {
            $input = new $class();
            $input->mergeFromString($body);
        } catch (\Throwable $e) {
            throw InvokeException::create(\sprintf('cannot decode the %s request: %s', $class, $e->getMessage()), null, [], $e);
        }

        return $this->service->{$name}($context, $input);
    }

    /**
     * The request class of an RPC method: `(ContextInterface $ctx, SomeMessage $in)`, where the message
     * class has mergeFromString() and serializeToString() (what protoc-generated classes have).
     *
     * @return class-string|null
     */
    private static function inputClass(\ReflectionMethod $method): ?string
    {
        $params = $method->getParameters();
        if (\count($params) !== 2 || $method->isStatic()) {
            return null;
        }
        $ctx = $params[0]->getType();
        $in = $params[1]->getType();
        if (!$ctx instanceof \ReflectionNamedType || !\is_a($ctx->getName(), ContextInterface::class, true)) {
            return null;
        }
        if (!$in instanceof \ReflectionNamedType || $in->isBuiltin()) {
            return null;
        }
        $class = $in->getName();
        if (!\method_exists($class, 'mergeFromString') || !\method_exists($class, 'serializeToString')) {
            return null;
        }

        return $class;
    }
}
