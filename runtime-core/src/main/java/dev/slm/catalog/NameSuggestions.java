package dev.slm.catalog;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Close names for a name nobody knows: the typo'd ones by edit distance, the partial ones by prefix. */
public final class NameSuggestions {
    private static final int MAX = 3;

    private NameSuggestions() {
    }

    /**
     * Up to three canonical names, closest first.
     *
     * @param spellings every spelling (names and aliases), each mapped to the canonical name it stands for
     */
    public static List<String> closest(String query, Map<String, String> spellings) {
        String q = ModelName.normalize(query);
        int limit = Math.max(2, q.length() / 3);
        record Candidate(String canonical, int distance) {
        }
        return spellings.entrySet().stream()
                .map(e -> new Candidate(e.getValue(), e.getKey().startsWith(q) && q.length() >= 3
                        ? 0 : distance(q, e.getKey())))
                .filter(c -> c.distance() <= limit)
                .sorted(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::canonical))
                .map(Candidate::canonical)
                .distinct()
                .limit(MAX)
                .toList();
    }

    public static List<String> closest(String query, Collection<String> names) {
        return closest(query, names.stream().collect(java.util.stream.Collectors.toMap(
                Function.identity(), Function.identity(), (a, b) -> a)));
    }

    /** " (did you mean a, b?)" or "" when nothing is close. */
    public static String hint(List<String> suggestions) {
        return suggestions.isEmpty() ? "" : " (did you mean " + String.join(", ", suggestions) + "?)";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
