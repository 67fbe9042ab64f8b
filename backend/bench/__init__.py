"""Tools that measure the product: speed (bench), match quality (eval), fusion and calibration (tune)."""
