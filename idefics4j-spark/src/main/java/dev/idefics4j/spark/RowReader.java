package dev.idefics4j.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads request rows of a DataFrame (Parquet, CSV or any other source) by column name. */
final class RowReader implements Serializable {
    private final Map<String, Integer> columns = new LinkedHashMap<>();

    RowReader(StructType schema) {
        String[] names = schema.fieldNames();
        for (int i = 0; i < names.length; i++) {
            if (RequestColumns.isRead(names[i])) {
                columns.put(names[i], i);
            }
        }
        if (!columns.containsKey(RequestColumns.IMAGE) && !columns.containsKey(RequestColumns.PROMPT)) {
            throw new IllegalArgumentException("the input has neither an image nor a prompt column (columns: "
                    + String.join(", ", names) + ")");
        }
    }

    RequestRow read(Row row, long index) {
        Map<String, Object> cells = new HashMap<>();
        columns.forEach((name, i) -> cells.put(name, row.isNullAt(i) ? null : row.get(i)));
        return RequestColumns.read(index, cells, true);
    }
}
