import { Choice } from '../storefront/common';
import { useStoreT } from '../storefront/messages';

export type PaymentMethod = 'wallet' | 'midtrans';

/** The payment method of a checkout, the same in the device's cart and the server's. */
export function PaymentMethodChoice(props: {
  method: PaymentMethod;
  onChange: (method: PaymentMethod) => void;
}) {
  const t = useStoreT();
  return (
    <fieldset>
      <legend>{t('paymentMethod')}</legend>
      {(['wallet', 'midtrans'] as const).map((each) => (
        <Choice
          key={each}
          name="payment_method"
          value={each}
          label={t(each)}
          hint={t(each === 'wallet' ? 'walletHint' : 'midtransHint')}
          checked={props.method === each}
          onChange={() => props.onChange(each)}
        />
      ))}
    </fieldset>
  );
}
