/**
 * Size limits of every input, declared once and checked while the input is
 * read, so that an oversized file is refused by name (with the limit) after
 * reading only as much of it as it takes to know: in well under a second and
 * a few MB, whatever the file's size (see README "Known limits").
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

/**
 * Most symmetry operations a CIF may list: a space group has at most 192 in
 * its conventional cell (48 point operations × 4 centring translations, Fm-3m).
 * More is not a crystal's group, and each extra operation multiplies the work
 * of expanding the atoms.
 */
export const MAX_SYMMETRY_OPERATIONS = 192;

/** Largest cell analysed for symmetry: moyo's cost grows about as N³ on P1 supercells (4000 atoms: ~7 s, 50 000: hours). */
export const MAX_SYMMETRY_ATOMS = 5000;

/** Largest det(M) of a supercell: beyond this a supercell is almost certainly a typo. */
export const MAX_SUPERCELL_DETERMINANT = 100_000;

/**
 * Most data rows of a CSV table held in memory: a DFT data set, a manifest, a
 * predictions or reference-energy table. The α-Nb5Si3 set has 3528 rows and a
 * 40-element screen of β 39 429 predictions; parsing 50 000 rows takes ~0.3 s
 * and ~60 MB, so a larger file is refused within a second. Larger prediction
 * screens are `screen`'s job, which streams.
 */
export const MAX_TABLE_ROWS = 50_000;

/** Largest CSV table file read (bytes): 50 000 rows of the widest table are ~15 MB. */
export const MAX_TABLE_BYTES = 32 * 1024 * 1024;

/**
 * Largest model file read (bytes), refused from its size before it is read.
 * The gp + site model of the 1612 α calculations is 1.9 MB; a gp model at its
 * 8000-calculation limit or a deep network stays within a few tens of MB.
 */
export const MAX_MODEL_FILE_BYTES = 64 * 1024 * 1024;
