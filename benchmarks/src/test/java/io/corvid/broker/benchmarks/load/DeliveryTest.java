package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pressure scenarios' arithmetic. */
class DeliveryTest {

    @Test
    void ratioHasThreePlacesAndNoneWhenNothingWasExpected() {
        assertEquals("1.000", Delivery.ratio(20_000, 20_000));
        assertEquals("0.623", Delivery.ratio(62_253, 100_000));
        assertEquals("0.000", Delivery.ratio(0, 5));
        assertEquals("na", Delivery.ratio(0, 0));
    }

    @Test
    void rateCountsIntervalsBetweenFirstAndLastArrival() {
        assertEquals(10_000, Delivery.rate(10_001, 0, 1_000_000_000L), 1e-9);
        assertEquals(2, Delivery.rate(3, 5_000_000_000L, 6_000_000_000L), 1e-9);
        assertEquals(0, Delivery.rate(1, 0, 1_000_000_000L), "one message has no rate");
        assertEquals(0, Delivery.rate(0, 0, 0));
        assertEquals(0, Delivery.rate(5, 7, 7), "no time between arrivals");
    }

    @Test
    void statusPutsGeneratorErrorsFirstThenCompletenessThenDuplicates() {
        assertEquals("ok", Delivery.status(false, true, 0));
        assertEquals("dup", Delivery.status(false, true, 3));
        assertEquals("incomplete", Delivery.status(false, false, 3));
        assertEquals("ERROR", Delivery.status(true, false, 0));
        assertEquals("ERROR", Delivery.status(true, true, 0));
    }

    @Test
    void listIsOneWord() {
        assertEquals("20000", Delivery.list(new long[] {20_000}));
        assertEquals("1,0,7", Delivery.list(new long[] {1, 0, 7}));
        assertEquals("", Delivery.list(new long[0]));
    }

    @Test
    void resultLineTakesTheFigures() {
        Result result = new Result().put("scenario", "stuck").put("ratio", Delivery.ratio(7976, 20_000))
                .put("live_received", Delivery.list(new long[] {7976, 20_000}))
                .put("live_rate", Delivery.rate(7976, 0, 3_780_000_000L), 0);
        assertEquals("RESULT scenario=stuck ratio=0.399 live_received=7976,20000 live_rate=2110", result.line());
    }
}
