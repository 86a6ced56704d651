import type { Platform } from '../../app.js';
import { conflict, forbidden, isAppError } from '../../platform/errors.js';
import { encodePng, type Rgb } from './png.js';

export const DEMO_SELLER = {
  name: 'Toko Demo',
  email: 'seller@demo.mamlaka.dev',
  password: 'demo seller password',
};
export const DEMO_SELLER_TWO = {
  name: 'Kriya Nusantara',
  email: 'seller2@demo.mamlaka.dev',
  password: 'demo seller two password',
};
/** Two shops, so that one order can hold products of two sellers. */
export const DEMO_SELLERS = [DEMO_SELLER, DEMO_SELLER_TWO] as const;
export const DEMO_BUYER = {
  name: 'Demo Buyer',
  email: 'buyer@demo.mamlaka.dev',
  password: 'demo buyer password',
};

// [name, description, price (IDR), stock, base colour]
type DemoProduct = readonly [string, string, string, number, Rgb];

// Coffee and food, sold by DEMO_SELLER.
const PANTRY: readonly DemoProduct[] = [
  ['Kopi Gayo, 250 g', 'Single-origin arabica beans from Aceh, medium roast', '85000', 40, [92, 60, 36]],
  ['Kopi Toraja, 250 g', 'Full-bodied coffee from Sulawesi highlands', '120000', 25, [70, 45, 30]],
  ['Kopi Kintamani, 250 g', 'Citrusy Balinese arabica', '98000', 0, [110, 72, 40]],
  ['Sambal matah jar', 'Fresh Balinese chilli relish, 200 g', '38000', 60, [200, 40, 30]],
  ['Kecap manis, 600 ml', 'Sweet soy sauce, small-batch', '32000', 80, [40, 20, 15]],
  ['Vanilla pods, 10 pcs', 'Grade A pods from Papua', '175000', 10, [60, 40, 30]],
  ['Cinnamon sticks, 200 g', 'Korintje cassia from Kerinci', '42000', 35, [160, 90, 50]],
  ['Palm sugar, 500 g', 'Gula aren blocks', '28000', 50, [150, 95, 45]],
  ['Coconut oil, 500 ml', 'Virgin, cold-pressed', '65000', 45, [240, 240, 220]],
  ['Tea, Java black, 100 g', 'Loose-leaf from Malabar estate', '36000', 55, [110, 50, 30]],
  ['Cacao nibs, 200 g', 'Fermented nibs from Jembrana', '59000', 18, [80, 50, 40]],
  ['Mangrove honey, 350 g', 'Wild honey from Kalimantan', '125000', 14, [220, 160, 40]],
  ['Sea salt, Amed, 250 g', 'Sun-dried Balinese sea salt', '30000', 90, [220, 225, 230]],
];

// Crafts and household goods, sold by DEMO_SELLER_TWO.
const CRAFTS: readonly DemoProduct[] = [
  ['Batik shirt, parang pattern', 'Hand-stamped cotton shirt from Solo', '185000', 12, [122, 74, 38]],
  ['Batik scarf, kawung', 'Silk scarf with the kawung motif', '95000', 20, [166, 110, 52]],
  ['Rattan basket', 'Hand-woven storage basket, 30 cm', '60000', 15, [196, 160, 98]],
  ['Rattan lampshade', 'Woven pendant shade for warm light', '240000', 6, [210, 176, 112]],
  ['Teak serving board', 'Reclaimed teak from Jepara', '150000', 9, [139, 90, 43]],
  ['Teak salad spoons', 'Pair of carved spoons', '45000', 30, [150, 100, 50]],
  ['Songket sarong', 'Gold-thread weave from Palembang', '750000', 3, [160, 30, 50]],
  ['Ikat throw', 'Sumba ikat blanket, natural dyes', '520000', 4, [140, 40, 30]],
  ['Wayang kulit puppet', 'Hand-painted leather shadow puppet', '680000', 2, [180, 120, 60]],
  ['Gamelan bell set', 'Small bronze bells, tuned', '1250000', 1, [200, 160, 60]],
  ['Silver filigree earrings', 'Kotagede silverwork', '330000', 7, [200, 200, 210]],
  ['Pearl pendant', 'Lombok sea pearl on silver chain', '890000', 5, [235, 230, 225]],
  ['Bamboo straw set', 'Six straws with brush', '25000', 100, [120, 160, 80]],
  ['Pandan soap bar', 'Cold-process soap with pandan', '22000', 70, [90, 160, 90]],
  ['Kain tenun bag', 'Tote from hand-loomed cloth', '210000', 11, [60, 80, 140]],
  ['Ceramic mug, Lombok', 'Terracotta mug, glazed inside', '55000', 24, [180, 90, 60]],
  ['Kris letter opener', 'Miniature keris in brass', '140000', 8, [190, 150, 70]],
  ['Shell wind chime', 'Capiz shells on driftwood', '80000', 13, [230, 210, 190]],
  ['Surfboard wax', 'Organic, tropical-water formula', '40000', 0, [250, 220, 150]],
];

// Sold in sizes, so the storefront shows a product with variants: [size, price, stock].
const SIZED = 'Batik shirt, parang pattern';
const SIZES: readonly [string, string, number][] = [
  ['S', '185000', 4],
  ['M', '185000', 5],
  ['L', '195000', 3],
];

const SHOPS = [
  { seller: DEMO_SELLER, products: PANTRY },
  { seller: DEMO_SELLER_TWO, products: CRAFTS },
] as const;

/** A soft diagonal gradient with stripes: a distinct, recognisable picture per product. */
function picture(colour: Rgb, index: number): Buffer {
  const [r, g, b] = colour;
  return encodePng(240, 240, (x, y) => {
    const shade = ((x + y) / 480) * 60 - 30;
    const stripe = Math.floor((x + index * 7) / 24) % 2 === 0 ? 12 : -12;
    const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v + shade + stripe)));
    return [clamp(r), clamp(g), clamp(b)];
  });
}

/**
 * Fills an empty catalog with two demo sellers, a demo buyer and a few dozen products with
 * pictures, through the same services the API uses. Sandbox only; refuses to run twice.
 */
export async function seedDemo(platform: Platform, mode: 'sandbox' | 'live') {
  if (mode === 'live') throw forbidden('sandbox_only', 'demo data is only for sandbox mode');
  const { users, sessions } = platform.users;
  const sellers: string[] = [];
  for (const seller of DEMO_SELLERS) {
    const registered = await users
      .register({ ...seller, role: 'seller', confirm_password: seller.password })
      .catch((error: unknown) => {
        if (isAppError(error) && error.code === 'email_taken') {
          throw conflict('demo_already_seeded', 'the demo data is already there');
        }
        throw error;
      });
    sellers.push(registered.email);
  }
  const buyer = await users.register({ ...DEMO_BUYER, role: 'buyer', confirm_password: DEMO_BUYER.password });
  let index = 0;
  for (const { seller, products } of SHOPS) {
    const login = await sessions.login(seller);
    const actor = { userId: login.id, role: login.role };
    for (const [name, description, price, stock, colour] of products) {
      const product = await platform.catalog.catalog.create(
        actor,
        { name, description, price, stock, currency: 'IDR' },
        { field: 'image', bytes: picture(colour, index++) },
      );
      if (name !== SIZED) continue;
      for (const [size, sizePrice, sizeStock] of SIZES)
        await platform.catalog.depth.variants.create(actor, product.id, {
          sku: `DEMO-BATIK-PARANG-${size}`,
          options: { size },
          price: sizePrice,
          stock: sizeStock,
        });
    }
  }
  return { sellers, buyer: buyer.email, products: index };
}
