/**
 * Size limits of structure input, checked while a file is read so that an
 * oversized file is refused by name after reading only as much of it as it
 * takes to know (see README "Known limits").
 */

/**
 * Most atoms a structure file may put in its cell. Symmetry analysis stops at
 * 5000 (MAX_SYMMETRY_ATOMS); reading goes 20× further so that `supercell` and
 * the neighbour tools still take large P1 cells (a 50 688-atom α supercell
 * reads in about 1 s), while a million-atom file is refused after its first
 * 100 000 rows instead of exhausting memory.
 */
export const MAX_STRUCTURE_ATOMS = 100_000;

/**
 * Largest structure file read at all (bytes). A 100 000-atom CIF is about
 * 7 MB; 256 MB leaves room for CIFs that carry reflection data or long text
 * fields, and a larger file is refused from its size alone, without reading it.
 */
export const MAX_STRUCTURE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Longest cell edge read (Å). Inorganic and small-molecule cells stay below
 * ~150 Å; beyond 1000 Å the neighbour search's cell list (NeighborFinder
 * allocates (height / cutoff)³ bins) needs gigabytes for a 3.6 Å pair cutoff.
 */
export const MAX_CELL_LENGTH = 1000;
