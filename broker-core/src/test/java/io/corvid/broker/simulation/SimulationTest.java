package io.corvid.broker.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deterministic simulation of the engine (docs/testing.md, "Deterministic simulation"). A fixed
 * set of seeds runs in every build; {@code -Dsim.seed=N} replays one seed, {@code -Dsim.seeds=N}
 * runs seeds 1..N (with {@code -Dsim.clients} and {@code -Dsim.rounds} to change the size).
 */
class SimulationTest {
    private static final Logger LOG = LoggerFactory.getLogger(SimulationTest.class);
    private static final int CLIENTS = Integer.getInteger("sim.clients", 120);
    private static final int ROUNDS = Integer.getInteger("sim.rounds", 3000);
    /** {@code -Dsim.heavy=true}: every seed with the store, its highest failure rates and the most crashes. */
    private static final Simulation.Faults FAULTS = Boolean.getBoolean("sim.heavy")
            ? Simulation.Faults.HEAVY : Simulation.Faults.NORMAL;

    static LongStream seeds() {
        String one = System.getProperty("sim.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        Integer many = Integer.getInteger("sim.seeds");
        if (many != null) {
            return LongStream.rangeClosed(1, many);
        }
        return LongStream.of(1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946);
    }

    /**
     * The engine iterates identity-hashed sets (a topic's subscribers), so a seed replays exactly
     * only with constant identity hash codes: the {@code simulation} surefire execution of this
     * module runs with {@code -XX:hashCode=2}; anywhere else these tests do not run.
     */
    @BeforeAll
    static void requireConstantIdentityHashCodes() {
        assumeTrue(System.identityHashCode(new Object()) == System.identityHashCode(new Object()),
                "the simulation runs in the 'simulation' surefire execution (-XX:hashCode=2)");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void invariantsHold(long seed) {
        Simulation.Result result = new Simulation(seed, CLIENTS, ROUNDS, FAULTS).run();
        // -Dsim.stats=true shows what each seed did (the tests log at WARN).
        if (Boolean.getBoolean("sim.stats")) {
            LOG.warn("seed {}: {} sent, {} delivered, {} dropped, {} tasks, {} restarts, {} store failures, "
                            + "{} keep-alive closes, {} wills published, {} power losses, {} clients the store may "
                            + "have failed at restarts", seed, result.messagesSent(), result.messagesDelivered(),
                    result.messagesDropped(), result.tasksRun(), result.restarts(), result.storeFailures(),
                    result.keepAliveCloses(), result.willsPublished(), result.powerLosses(),
                    result.clientsUnreliableAtRestarts());
        }
        if (!result.passed()) {
            List<String> shown = new ArrayList<>(result.violations().subList(0,
                    Math.min(10, result.violations().size())));
            fail("simulation seed " + seed + " broke " + result.violations().size() + " invariant(s): " + shown
                    + "\nreplay: mvn -B -o test -pl broker-core -am -Dtest=SimulationTest"
                    + " -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + seed
                    + " -Dsim.clients=" + CLIENTS + " -Dsim.rounds=" + ROUNDS
                    + (FAULTS == Simulation.Faults.HEAVY ? " -Dsim.heavy=true" : ""));
        }
    }

    @Test
    void aSeedReplaysExactly() {
        Simulation.Result first = new Simulation(42, 40, 800).run();
        Simulation.Result second = new Simulation(42, 40, 800).run();
        assertEquals(first.tasksRun(), second.tasksRun());
        assertEquals(first.messagesDelivered(), second.messagesDelivered());
        assertEquals(first.violations(), second.violations());
    }
}
