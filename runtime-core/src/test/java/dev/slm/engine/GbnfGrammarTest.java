package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import org.junit.jupiter.api.Test;

class GbnfGrammarTest {

    @Test
    void acceptsLlamaCppStyleGrammars() {
        assertDoesNotThrow(() -> GbnfGrammar.validate("root ::= (\"yes\" | \"no\") \".\""));
        assertDoesNotThrow(() -> GbnfGrammar.validate("""
                # a list of words
                root   ::= item ("," ws item){0,4} "\\n"?
                item   ::= [a-zA-Z]+ | "\\"" [^"]* "\\""
                ws     ::= ( " "
                           | "\\t" )*
                """));
    }

    @Test
    void rejectsBrokenGrammarsWithTheirPosition() {
        assertMessage("root ::= (", "expecting ')' at line 1, column 11");
        assertMessage("root ::= \"abc", "unterminated a string literal");
        assertMessage("root = \"a\"", "expecting '::='");
        assertMessage("root ::= thing", "rule 'thing' is used but never defined");
        assertMessage("start ::= \"a\"", "no 'root' rule");
        assertMessage("root ::= * \"a\"", "'*' must follow an item");
        assertMessage("", "the grammar is empty");
        // llama.cpp expands each repetition into rules and refuses counts over 2000 (it used to
        // build them, without bound).
        assertMessage("root ::= [a-z]{3000}", "a repetition may count up to 2000, not 3000");
        assertMessage("root ::= [a-z]{1,99999999999}", "a repetition may count up to 2000");
        GbnfGrammar.validate("root ::= [a-z]{2000}");
    }

    private static void assertMessage(String grammar, String expected) {
        SlmException e = assertThrows(SlmException.class, () -> GbnfGrammar.validate(grammar));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
