<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

use RR\Jobs\Options;
use RR\Jobs\OptionsAwareInterface;
use RR\Jobs\OptionsInterface;

/**
 * A task built by {@see \RR\Jobs\QueueInterface::create()} and not pushed yet
 * (Spiral\RoadRunner\Jobs\Task\PreparedTask). Immutable: the `with…()` methods return copies.
 *
 * ```php
 * $task = $queue->create(SendMail::class, $json)->withHeader('tenant', 'acme')->withDelay(30);
 * ```
 */
final class PreparedTask extends Task implements PreparedTaskInterface, OptionsAwareInterface
{
    use WritableHeadersTrait;

    private OptionsInterface $options;

    /**
     * @param array<string, list<string>> $headers
     *
     * @throws \InvalidArgumentException on an empty name
     */
    public function __construct(string $name, string|\Stringable $payload, ?OptionsInterface $options = null, array $headers = [])
    {
        $this->options = $options ?? new Options();
        parent::__construct($name, $payload, $headers);
    }

    public function __clone()
    {
        $this->options = clone $this->options;
    }

    public function getOptions(): OptionsInterface
    {
        return $this->options;
    }

    public function withOptions(OptionsInterface $options): static
    {
        $self = clone $this;
        $self->options = $options;

        return $self;
    }

    public function getDelay(): int
    {
        return $this->options->getDelay();
    }

    public function getPriority(): int
    {
        return $this->options->getPriority();
    }

    public function getAutoAck(): bool
    {
        return $this->options->getAutoAck();
    }

    /**
     * A copy pushed with this delay. Options without a withDelay() method (a custom
     * OptionsInterface) are left as they are, as in the official client.
     */
    public function withDelay(int $seconds): static
    {
        if ($seconds < 0) {
            throw new \InvalidArgumentException(\sprintf('Delay must be 0 or more seconds, got %d', $seconds));
        }

        return $this->withChangedOptions('withDelay', $seconds);
    }

    /**
     * @throws \InvalidArgumentException on a negative priority
     */
    public function withPriority(int $priority): static
    {
        if ($priority < 0) {
            throw new \InvalidArgumentException(\sprintf('Priority must be 0 or more, got %d', $priority));
        }

        return $this->withChangedOptions('withPriority', $priority);
    }

    public function withAutoAck(bool $autoAck): static
    {
        return $this->withChangedOptions('withAutoAck', $autoAck);
    }

    private function withChangedOptions(string $method, int|bool $value): static
    {
        if (!\method_exists($this->options, $method)) {
            return $this;
        }

        $options = $this->options->{$method}($value);
        if (!$options instanceof OptionsInterface) {
            throw new \LogicException(\sprintf('%s::%s() did not return options', $this->options::class, $method));
        }

        return $this->withOptions($options);
    }
}
