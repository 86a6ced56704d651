export default function SellerApp() {
  return <h1>SellerApp</h1>;
}
