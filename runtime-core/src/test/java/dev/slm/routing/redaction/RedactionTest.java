package dev.slm.routing.redaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RedactionTest {
    private static final Redactor ALL = Redactor.of(List.of(
            PiiDetector.custom("employee", Pattern.compile("EMP-\\d{6}")),
            PiiDetector.card(), PiiDetector.iban(), PiiDetector.email(), PiiDetector.phone()));

    private static String redact(String text) {
        return ALL.start().redact(text);
    }

    @Test
    void emailsBecomeNumberedPlaceholdersAndTheSameValueKeepsItsNumber() {
        Redactions r = ALL.start();
        String out = r.redact("Mail ann.lee+work@example.co.uk or bob@test.io, again ann.lee+work@example.co.uk.");
        assertEquals("Mail [EMAIL_1] or [EMAIL_2], again [EMAIL_1].", out);
        assertEquals(Map.of("[EMAIL_1]", "ann.lee+work@example.co.uk", "[EMAIL_2]", "bob@test.io"), r.placeholders());
        assertEquals("Write to ann.lee+work@example.co.uk", r.restore("Write to [EMAIL_1]"));
    }

    @Test
    void phoneNumbersInCommonFormats() {
        for (String phone : List.of("+41 44 668 18 00", "(555) 123-4567", "555-123-4567", "+1-202-555-0143",
                "0044 20 7946 0958", "5551234567", "+4915112345678")) {
            assertEquals("call [PHONE_1] now", redact("call " + phone + " now"), phone);
        }
    }

    @Test
    void datesVersionsAddressesAndSmallNumbersAreNotPhoneNumbers() {
        for (String text : List.of("on 2024-01-15", "on 15.01.2024", "at 192.168.10.10", "version 1.2.3",
                "in 1999 2000 people", "room 1234", "pi is 3.14159")) {
            assertEquals(text, redact(text), text);
        }
    }

    @Test
    void cardNumbersMustPassTheLuhnCheck() {
        assertEquals("card [CARD_1] ok", redact("card 4111 1111 1111 1111 ok"));
        assertEquals("card [CARD_1] ok", redact("card 5500-0000-0000-0004 ok"));
        assertEquals("card [CARD_1] ok", redact("card 378282246310005 ok"));
        // One digit off: not a card (and too long to be a phone number).
        assertEquals("card 4111 1111 1111 1112 ok", redact("card 4111 1111 1111 1112 ok"));
        // A valid card followed by more digits is still found.
        assertEquals("card [CARD_1] 12", redact("card 4111 1111 1111 1111 12"));
    }

    @Test
    void ibansMustPassTheMod97Check() {
        assertEquals("to [IBAN_1] please", redact("to DE89 3704 0044 0532 0130 00 please"));
        assertEquals("to [IBAN_1] AND more", redact("to GB82 WEST 1234 5698 7654 32 AND more"));
        assertEquals("to [IBAN_1].", redact("to CH9300762011623852957."));
        // Last digit off: not an IBAN. (Its digit groups may still hold a run that passes as a card number:
        // over-redaction, never under.)
        assertEquals("to DE89370400440532013001 please", redact("to DE89370400440532013001 please"));
        assertFalse(redact("to DE89 3704 0044 0532 0130 01 please").contains("[IBAN_"));
    }

    @Test
    void customPatternsGetTheirOwnLabelAndWinOverBuiltIns() {
        Redactions r = ALL.start();
        assertEquals("[EMPLOYEE_1] wrote from [EMAIL_1]", r.redact("EMP-123456 wrote from x@y.org"));
        assertEquals("EMP-123456", r.placeholders().get("[EMPLOYEE_1]"));
        assertThrows(IllegalArgumentException.class, () -> PiiDetector.custom("9lives", Pattern.compile("x")));
    }

    @Test
    void placeholdersTheAnswerDoesNotKnowAreLeftAlone() {
        Redactions r = ALL.start();
        r.redact("a@b.cd");
        assertEquals("a@b.cd and [EMAIL_7] and [NOTE]", r.restore("[EMAIL_1] and [EMAIL_7] and [NOTE]"));
    }

    @Test
    void noRedactorChangesNothing() {
        Redactions r = Redactor.none().start();
        assertEquals("a@b.cd +41 44 668 18 00", r.redact("a@b.cd +41 44 668 18 00"));
        assertEquals(0, r.count());
        assertFalse(Redactor.none().isActive());
    }

    @Test
    void aStreamRestoresPlaceholdersSplitAtAnyPoint() {
        Redactions r = ALL.start();
        r.redact("ann@example.com and +41 44 668 18 00");
        String answer = "Sure: [EMAIL_1] / [PHONE_1] [x] [EMAIL_99] [";
        String expected = "Sure: ann@example.com / +41 44 668 18 00 [x] [EMAIL_99] [";
        for (int i = 0; i <= answer.length(); i++) {
            for (int j = i; j <= answer.length(); j++) {
                StreamRestorer s = r.streamRestorer();
                String out = s.accept(answer.substring(0, i)) + s.accept(answer.substring(i, j))
                        + s.accept(answer.substring(j)) + s.flush();
                assertEquals(expected, out, "split at " + i + ", " + j);
            }
        }
    }

    @Test
    void aStreamHoldsBackOnlyWhatCouldStillBecomeAPlaceholder() {
        Redactions r = ALL.start();
        r.redact("ann@example.com");
        StreamRestorer s = r.streamRestorer();
        assertEquals("Hi ", s.accept("Hi [EM"));
        assertTrue(s.holding());
        assertEquals("ann@example.com!", s.accept("AIL_1]!"));
        assertEquals("[x", s.accept("[x"), "'[x' can never become a placeholder");
        assertEquals("", s.accept("[E"));
        assertEquals("[E", s.flush(), "what is held is given up at the end");
    }
}
