#ifndef C_IMAGE_CODECS_H
#define C_IMAGE_CODECS_H
#include <stdio.h>
#include <png.h>
#include <jpeglib.h>
#include <tiffio.h>
#endif
