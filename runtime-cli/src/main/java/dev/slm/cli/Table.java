package dev.slm.cli;

import java.util.List;

/** Aligned columns on stdout, two spaces apart, as `ls -l` or `docker ps` print them. */
final class Table {
    private Table() {
    }

    static void print(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row[c] : String.format("%-" + width[c] + "s  ", row[c]));
            }
            System.out.println(line.toString().stripTrailing());
        }
    }
}
