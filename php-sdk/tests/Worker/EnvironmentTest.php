<?php

declare(strict_types=1);

namespace RR\Tests\Worker;

use PHPUnit\Framework\TestCase;
use RR\Worker\Environment;
use RR\Worker\EnvironmentInterface;
use RR\Worker\Mode;

final class EnvironmentTest extends TestCase
{
    public function testReadsTheVariablesRoadRunnerPasses(): void
    {
        $env = new Environment([
            'RR_MODE' => Mode::MODE_HTTP,
            'RR_RELAY' => 'unix:///tmp/rr.sock',
            'RR_RPC' => 'tcp://127.0.0.1:7001',
            'RR_VERSION' => '2025.1.15',
        ]);

        self::assertInstanceOf(EnvironmentInterface::class, $env);
        self::assertSame('http', $env->getMode());
        self::assertSame('unix:///tmp/rr.sock', $env->getRelayAddress());
        self::assertSame('tcp://127.0.0.1:7001', $env->getRPCAddress());
        self::assertSame('2025.1.15', $env->getVersion());
    }

    public function testFallsBackToPipesAndTheDefaultRpcAddress(): void
    {
        $env = new Environment([]);

        self::assertSame('', $env->getMode());
        self::assertSame('pipes', $env->getRelayAddress());
        self::assertSame('tcp://127.0.0.1:6001', $env->getRPCAddress());
        self::assertSame('', $env->getVersion());
    }

    public function testAnEmptyValueCountsAsUnset(): void
    {
        $env = new Environment(['RR_RELAY' => '', 'RR_RPC' => '']);

        self::assertSame('pipes', $env->getRelayAddress());
        self::assertSame('tcp://127.0.0.1:6001', $env->getRPCAddress());
    }

    public function testModeConstantsAreRoadRunnerValues(): void
    {
        self::assertSame(
            ['http', 'temporal', 'jobs', 'grpc', 'tcp', 'centrifuge'],
            [Mode::MODE_HTTP, Mode::MODE_TEMPORAL, Mode::MODE_JOBS, Mode::MODE_GRPC, Mode::MODE_TCP, Mode::MODE_CENTRIFUGE],
        );
    }

    public function testFromGlobalsMergesGetenvWithEnvAndServerLaterWinning(): void
    {
        $saved = [$_ENV, $_SERVER, \getenv('RR_MODE'), \getenv('RR_VERSION'), \getenv('RR_RPC')];

        try {
            \putenv('RR_MODE=jobs');
            \putenv('RR_VERSION=1.0.0');
            \putenv('RR_RPC=tcp://127.0.0.1:1');
            unset($_SERVER['RR_MODE'], $_SERVER['RR_VERSION'], $_ENV['RR_MODE'], $_ENV['RR_VERSION']);
            $_ENV['RR_RPC'] = 'tcp://127.0.0.1:2';
            $_SERVER['RR_RPC'] = 'tcp://127.0.0.1:3';
            $_ENV['RR_VERSION'] = '2.0.0';

            $env = Environment::fromGlobals();

            self::assertSame('jobs', $env->getMode(), 'getenv() alone (variables_order without E)');
            self::assertSame('2.0.0', $env->getVersion(), '$_ENV overrides getenv()');
            self::assertSame('tcp://127.0.0.1:3', $env->getRPCAddress(), '$_SERVER overrides $_ENV');
        } finally {
            [$_ENV, $_SERVER] = $saved;
            foreach (['RR_MODE' => $saved[2], 'RR_VERSION' => $saved[3], 'RR_RPC' => $saved[4]] as $name => $value) {
                \putenv($value === false ? $name : "$name=$value");
            }
        }
    }
}
