package io.corvid.broker.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BrokerProbeTest {

    @Test
    void readsResidentSetSize() {
        String status = "Name:\tjava\nVmPeak:\t 5000000 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 100000 kB\n";
        assertEquals(OptionalLong.of(123456), BrokerProbe.parseRssKb(status));
        assertTrue(BrokerProbe.parseRssKb("Name:\tkthreadd\n").isEmpty());
    }

    @Test
    void readsG1HeapInfo() {
        String info = "12345:\n garbage-first heap   total 262144K, used 21504K [0x0000000700000000, 0x0000000800000000)\n"
                + "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n"
                + " Metaspace       used 1200K, committed 1300K, reserved 1056768K\n";
        assertEquals(OptionalLong.of(21504), BrokerProbe.parseHeapUsedKb(info));
    }

    @Test
    void addsGenerationsOfParallelGc() {
        String info = " PSYoungGen      total 76288K, used 2621K [0x...)\n"
                + " ParOldGen       total 175104K, used 1M [0x...)\n";
        assertEquals(OptionalLong.of(2621 + 1024), BrokerProbe.parseHeapUsedKb(info));
    }

    @Test
    void nothingForOtherOutput() {
        assertTrue(BrokerProbe.parseHeapUsedKb("12345:\ncom.sun.tools.attach.AttachNotSupportedException").isEmpty());
    }
}
