// Rasterizes report charts to PNG with sharp (librsvg). Only trainers that already depend on sharp (image datasets)
// carry this module; the others' reports embed the SVGs.
import sharp from 'sharp';

/** PNGs are rendered at this multiple of the SVG's size so text stays sharp. */
export const PNG_SCALE = 2;

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * PNG_SCALE }).png().toBuffer();
}
