package dev.slm.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * Prompts of an exact number of tokens for a given tokenizer. llama-bench feeds random token ids;
 * slm's API takes text, so words are added until the tokenizer counts the wanted number. Each
 * variant starts with different words, so llama.cpp's prompt cache cannot reuse an earlier run.
 */
final class PromptText {
    private static final List<String> WORDS = List.of(("the a of and to in is was that it he she they for on with as his her "
            + "at by from this had not are but were one all be have an there which their when what so up out if "
            + "about who them then she into time could little day big small tree house dog cat sun sky water "
            + "friend happy ran saw found play wanted went came looked said very good old new long way back "
            + "over after under again never always bird fish ball park garden river hill road light dark warm").split(" "));

    private final ToIntFunction<String> tokenCount;

    /** {@code tokenCount}: tokens of a prompt as the model counts them (BOS included). */
    PromptText(ToIntFunction<String> tokenCount) {
        this.tokenCount = tokenCount;
    }

    /** A prompt of {@code tokens} tokens, or as close below as the tokenizer allows. */
    String of(int tokens, int variant) {
        List<String> words = new ArrayList<>();
        Random random = new Random(variant);
        while (words.size() < tokens) {
            List<String> shuffled = new ArrayList<>(WORDS);
            Collections.shuffle(shuffled, random);
            words.addAll(shuffled);
        }
        int low = 1;
        int high = tokens;
        while (low < high) {
            int mid = (low + high + 1) / 2;
            if (tokenCount.applyAsInt(String.join(" ", words.subList(0, mid))) <= tokens) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        String text = String.join(" ", words.subList(0, low));
        for (int i = 0; i < 8 && tokenCount.applyAsInt(text) < tokens; i++) {
            String longer = text + " a";
            if (tokenCount.applyAsInt(longer) > tokens) {
                break;
            }
            text = longer;
        }
        return text;
    }
}
