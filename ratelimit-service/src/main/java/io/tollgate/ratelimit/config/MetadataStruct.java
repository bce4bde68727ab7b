package io.tollgate.ratelimit.config;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Map;

/** A descriptor's free-form {@code metadata} as the protobuf Struct the response carries. */
final class MetadataStruct {

  private MetadataStruct() {}

  static Struct of(Map<String, Object> metadata) {
    Struct.Builder b = Struct.newBuilder();
    metadata.forEach((k, v) -> b.putFields(k, value(v)));
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static Value value(Object v) {
    Value.Builder b = Value.newBuilder();
    if (v == null) {
      return b.setNullValue(NullValue.NULL_VALUE).build();
    }
    if (v instanceof Map<?, ?> m) {
      return b.setStructValue(of((Map<String, Object>) m)).build();
    }
    if (v instanceof List<?> list) {
      ListValue.Builder l = ListValue.newBuilder();
      list.forEach(e -> l.addValues(value(e)));
      return b.setListValue(l).build();
    }
    if (v instanceof Boolean bool) {
      return b.setBoolValue(bool).build();
    }
    if (v instanceof Number n) {
      return b.setNumberValue(n.doubleValue()).build();
    }
    return b.setStringValue(String.valueOf(v)).build();
  }
}
