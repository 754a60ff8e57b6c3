<?php

declare(strict_types=1);

namespace RR\Jobs;

/**
 * Something carrying an {@see OptionsInterface} (Spiral\RoadRunner\Jobs\OptionsAwareInterface).
 */
interface OptionsAwareInterface
{
    public function getOptions(): OptionsInterface;

    /** A copy with these options. */
    public function withOptions(OptionsInterface $options): static;
}
