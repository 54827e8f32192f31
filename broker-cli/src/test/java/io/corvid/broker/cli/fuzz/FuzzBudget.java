package io.corvid.broker.cli.fuzz;

/**
 * The fuzzing time each {@code @FuzzTest} gets when it is run with {@code JAZZER_FUZZ=1}
 * (the {@code fuzz-*} surefire executions of {@code mvn verify}). Replaying the corpus, the
 * default, ignores it. Long campaigns go through {@code fuzz/run.sh}, which sets its own time.
 */
final class FuzzBudget {

    /** A few seconds per target: enough to catch shallow regressions on every build. */
    static final String PER_TARGET = "3s";

    private FuzzBudget() {
    }
}
