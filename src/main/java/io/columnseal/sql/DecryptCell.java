package io.columnseal.sql;

import java.util.Objects;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.codegen.Block;
import scala.collection.IndexedSeq;
import org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * {@code columnseal_decrypt(cell, 'dataset', 'column')} as a Catalyst expression: code-generated
 * (a call on the {@link DatasetColumn} held as a reference object of the generated class, as
 * Spark's own ScalaUDF does), no row conversion. Null in, null out.
 */
public final class DecryptCell extends Expression implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final Expression cell;
  private final DatasetColumn column;

  public DecryptCell(Expression cell, DatasetColumn column) {
    this.cell = Objects.requireNonNull(cell, "cell");
    this.column = Objects.requireNonNull(column, "column");
  }

  @Override
  public scala.collection.Seq<Expression> children() {
    return scala.collection.JavaConverters.asScalaBuffer(java.util.List.of(cell)).toList();
  }

  @Override
  public boolean nullable() {
    return cell.nullable();
  }

  @Override
  public DataType dataType() {
    return column.type;
  }

  @Override
  public String prettyName() {
    return "columnseal_decrypt";
  }

  @Override
  public Object eval(InternalRow row) {
    Object input = cell.eval(row);
    if (input == null) {
      return null;
    }
    return input instanceof UTF8String s ? column.open(s) : column.open((byte[]) input);
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    ExprCode c = cell.genCode(ctx);
    String ref = ctx.addReferenceObj("columnsealColumn", column, DatasetColumn.class.getName());
    String code = c.code() + "\n"
        + "boolean " + ev.isNull() + " = " + c.isNull() + ";\n"
        + CodeGenerator.javaType(dataType()) + " " + ev.value() + " = "
        + CodeGenerator.defaultValue(dataType(), true) + ";\n"
        + "if (!" + ev.isNull() + ") {\n"
        + "  " + ev.value() + " = (" + CodeGenerator.boxedType(dataType()) + ") " + ref + ".open(" + c.value() + ");\n"
        + "}";
    Block block = new Block.BlockHelper(new scala.StringContext(
        scala.collection.JavaConverters.asScalaBuffer(java.util.List.of(code)).toList())).code(
        scala.collection.JavaConverters.asScalaBuffer(java.util.List.<Object>of()).toList());
    return ev.copy(block, ev.isNull(), ev.value());
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new DecryptCell(newChildren.apply(0), column);
  }

  @Override
  public int productArity() {
    return 2;
  }

  @Override
  public Object productElement(int n) {
    if (n == 0) {
      return cell;
    }
    if (n == 1) {
      return column;
    }
    throw new IndexOutOfBoundsException(String.valueOf(n));
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof DecryptCell;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecryptCell d && d.cell.equals(cell) && d.column == column;
  }

  @Override
  public int hashCode() {
    return Objects.hash(cell, System.identityHashCode(column));
  }
}
