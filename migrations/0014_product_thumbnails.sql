-- Uploaded product images are decoded and re-encoded (WebP, at most 2048 px, metadata
-- dropped) and stored with a thumbnail of at most 400 px beside them. Images stored
-- before this have no thumbnail: thumbnail_key stays NULL for them.
ALTER TABLE products
  ADD COLUMN thumbnail_key text
    CHECK (thumbnail_key ~ '^[a-z0-9-]+/[a-z0-9-]+\.(jpg|png|webp)$'),
  ADD CONSTRAINT products_thumbnail_has_image CHECK (thumbnail_key IS NULL OR image_key IS NOT NULL);
