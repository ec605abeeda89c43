/**
 * The rows a screening stores: the columns of `predict` (src/predict/table.ts),
 * the structure they belong to in front, the host elements of the two sites
 * behind (so "which elements on which host" is a query, not a label parse).
 */
import { PREDICTION_COLUMNS } from '../predict/table.ts';
import { elementColumn } from '../structure/periodicTable.ts';
import { columns, type Column, type RowOf, type ValueType } from '../util/table.ts';

export const STRUCTURE_COLUMNS = [
  columns.text('structure_id', "the structure's id in the run: its file name without extension, made unique within the list"),
  columns.text('file', 'the structure file as listed (command line or --list line)'),
  columns.text('formula', 'reduced formula of the structure'),
  columns.number('spacegroup', 'space-group number (moyo, symprec 0.01 Å)', { integer: true, min: 1, max: 230 }),
] as const;

export const HOST_COLUMNS = [
  elementColumn('host_a', 'element of site a in the unsubstituted structure'),
  elementColumn('host_b', 'element of site b in the unsubstituted structure'),
] as const;

export const SCREEN_COLUMNS = [...STRUCTURE_COLUMNS, ...PREDICTION_COLUMNS, ...HOST_COLUMNS] as const;
export type ScreenRow = RowOf<typeof SCREEN_COLUMNS>;

/** The structure columns of every row of one structure. */
export type StructureFields = RowOf<typeof STRUCTURE_COLUMNS>;

const SQL_TYPES: Record<ValueType, string> = { text: 'VARCHAR', number: 'DOUBLE', integer: 'INTEGER', flag: 'BOOLEAN' };

export interface SqlColumn {
  name: string;
  sql: string;
  type: ValueType;
  nullable: boolean;
  description: string;
}

/** Column declarations as SQL columns: the table format is declared once (util/table.ts), the store types follow from it. */
export function sqlColumns(cols: readonly Column<unknown>[]): SqlColumn[] {
  return cols.map((c) => {
    if (!c.type) throw new Error(`column ${c.name} declares no value type`);
    return { name: c.name, sql: SQL_TYPES[c.type], type: c.type, nullable: c.optional === true, description: c.description };
  });
}

export const SCREEN_SQL = sqlColumns(SCREEN_COLUMNS);
