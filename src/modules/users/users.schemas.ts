import Type from 'typebox';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './users.rules.js';

const strict = { additionalProperties: false } as const;

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Phone = Type.String({
  pattern: '^\\+[1-9][0-9]{6,14}$',
  description: 'E.164: "+", the country code and the number, 7 to 15 digits, no spaces',
});
const Line = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });
export const ShippingAddress = Type.Object(
  {
    line1: Line(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Line(100),
    region: Type.Optional(Type.String({ maxLength: 100, description: 'state or province' })),
    postal_code: Line(20),
    country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2, e.g. ID' }),
  },
  strict,
);
const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
const AnyPassword = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });

export const RegisterBody = Type.Object(
  {
    name: Name,
    email: Email,
    role: Type.Enum(['buyer', 'seller', 'admin'], { description: '`admin` only when called by an admin' }),
    password: Password,
    confirm_password: AnyPassword,
  },
  strict,
);

export const LoginBody = Type.Object({ email: Email, password: AnyPassword }, strict);

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 200 }) },
  strict,
);

export const LogoutBody = Type.Object(
  {
    refresh_token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'end this session; omit to end all of yours',
      }),
    ),
  },
  strict,
);

export const UpdateMeBody = Type.Object(
  {
    name: Type.Optional(Name),
    email: Type.Optional(Email),
    phone: Type.Optional(Type.Union([Phone, Type.Null()], { description: 'null removes it' })),
    shipping_address: Type.Optional(
      Type.Union([ShippingAddress, Type.Null()], { description: 'null removes it' }),
    ),
    password: Type.Optional(Password),
    confirm_password: Type.Optional(AnyPassword),
    current_password: Type.Optional(AnyPassword),
  },
  { ...strict, minProperties: 1 },
);

export const UserIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);

export const RegisteredUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  role: Type.String(),
  email: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const User = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  email: Type.String(),
  // Optional: the gRPC User message does not carry them yet (the split gateway leaves them out).
  phone: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  shipping_address: Type.Optional(Type.Union([ShippingAddress, Type.Null()])),
  role: Type.String(),
  status: Type.String(),
  // The default: gRPC (the split gateway) leaves a false bool out.
  email_verified: Type.Boolean({
    default: false,
    description: 'whether a link mailed to the current address was followed',
  }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const Session = Type.Object({
  id: Type.String({ format: 'uuid' }),
  role: Type.String(),
  token: Type.String({ description: 'access token (JWT, EdDSA)' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'seconds until the access token expires' }),
  refresh_token: Type.String({ description: 'single-use; exchange at POST /auth/refresh' }),
  refresh_expires_in: Type.Integer(),
  mfa_enrollment_required: Type.Optional(
    Type.Literal(true, {
      description: 'this session may only set up two-factor sign-in (admins where it is required)',
    }),
  ),
});

export const Jwks = Type.Object({
  keys: Type.Array(Type.Object({}, { additionalProperties: true })),
});
