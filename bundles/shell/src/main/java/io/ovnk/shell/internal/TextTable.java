package io.ovnk.shell.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An aligned text table: a header line, then rows, columns two blanks apart, the last column unpadded. Numbers can
 * be right-aligned. Empty cells print as "-" so that every row has as many words as columns (unless
 * {@link #blankWhenEmpty}).
 */
public final class TextTable {

    private final List<String> headers;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();
    private String empty = "-";

    private TextTable(List<String> headers) {
        this.headers = List.copyOf(headers);
        this.right = new boolean[headers.size()];
    }

    public static TextTable of(String... headers) {
        return new TextTable(Arrays.asList(headers));
    }

    /** Right-aligns the given columns (counts, sizes). */
    public TextTable rightAligned(int... columns) {
        for (int column : columns) {
            right[column] = true;
        }
        return this;
    }

    /** Empty cells print blank (continuation lines of a multi-line row) instead of "-". */
    public TextTable blankWhenEmpty() {
        empty = "";
        return this;
    }

    public TextTable row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object cell : cells) {
            String text = cell == null ? "" : cell.toString();
            row.add(text.isEmpty() ? empty : text.replace('\n', ' '));
        }
        rows.add(row);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public String render() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        line(text, headers, widths);
        rows.forEach(row -> line(text, row, widths));
        return text.toString();
    }

    private void line(StringBuilder text, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            boolean last = i == cells.size() - 1;
            String pad = " ".repeat(widths[i] - cell.length());
            if (right[i]) {
                line.append(pad).append(cell);
            } else {
                line.append(cell).append(last ? "" : pad);
            }
            if (!last) {
                line.append("  ");
            }
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }
}
