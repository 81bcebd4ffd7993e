export { MediaError, decodeImageFile, type DecodedImage } from './load-image';
export { downloadBlob, encodePng, exportName } from './export-png';
export { SUPPORTED_IMAGES, sniffImageType, type ImageType } from './sniff';
